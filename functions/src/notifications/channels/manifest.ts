/**
 * What a channel declares about itself, apart from its code: its name, the letter its acknowledge
 * links carry, its params and secrets, and its runbook text. A manifest is data on the floor: it
 * imports only the param kit, so that configuration (the CHANNELS of config/schema, the PARAMS of
 * config/params), the acknowledge links (ack/token) and the rule texts (rules/system) can all read the
 * channel list without importing any channel's code. The code (sending, rendering) is the channel's
 * `index.ts`, registered in ./index.ts.
 */
import type { ParamEntry } from '../../config/paramKit';

/** One lower-case letter: the channel in an acknowledge link (`<alertId>.<letter><expiry>.<MAC>`). */
export type AckLetter =
  'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z';

/** The channel's lines in the runbook of `channel_failing` (docs/runbook.md), in English. */
export interface ChannelRunbook {
  /** Errors that tell the cause: "Slack "no_service" or 404/410: the webhook was revoked...". */
  diagnose: string;
  /** How to replace its credential: "`firebase functions:secrets:set SLACK_WEBHOOK_URL`". */
  fix: string;
}

export interface ChannelManifest<N extends string = string> {
  /** The name in routing, delivery records and the admin API (lower case, no spaces). */
  name: N;
  /** As people name it: "Slack", "Email", "SMS". */
  label: string;
  ackLetter: AckLetter;
  /** Every param and secret the channel owns (documented, listed in functions/.env.example). */
  params: readonly ParamEntry[];
  /** Secrets it needs to send: bound by every function that can deliver a message. */
  secrets: readonly ParamEntry[];
  runbook: ChannelRunbook;
  /**
   * An incident tool (PagerDuty) follows the alert's lifecycle: when someone acknowledges the alert
   * (dashboard or link), a channel that received a message about it gets an `acknowledged` message
   * (admin/alerts.ts). Message channels (Slack, email, SMS) do not: false.
   */
  followsAcknowledgement: boolean;
}

/**
 * The manifests in registry order, checked once at load: names and acknowledge letters unique.
 * (The compiler checks that each manifest has every part; this checks what a type cannot.)
 */
export function defineManifests<const T extends readonly ChannelManifest[]>(manifests: T): T {
  const seen = new Map<string, string>();
  for (const manifest of manifests) {
    if (!/^[a-z][a-z0-9]{1,19}$/.test(manifest.name)) throw new Error(`Channel name "${manifest.name}": lower-case letters and digits only.`);
    for (const key of [`name:${manifest.name}`, `letter:${manifest.ackLetter}`]) {
      const other = seen.get(key);
      if (other) throw new Error(`Channels ${other} and ${manifest.name} share the ${key.split(':')[0]} "${key.split(':')[1]}".`);
      seen.set(key, manifest.name);
    }
  }
  return manifests;
}
