/**
 * The channel registry refuses an incomplete channel. The `@ts-expect-error` lines are checked by
 * `npm run typecheck` (part of `npm test`): each must be a type error, or the type check fails.
 */
import { ACK_CHANNELS, signAckToken, verifyAckToken } from '../src/ack/token';
import { CHANNELS } from '../src/config/schema';
import { NOTIFICATION_SECRETS, PARAMS } from '../src/config/params';
import { CHANNEL_IMPLEMENTATIONS, defineRegistry, type Channel } from '../src/notifications/channels';
import { defineManifests, type ChannelManifest } from '../src/notifications/channels/manifest';
import { CHANNEL_MANIFESTS, CHANNEL_SECRETS } from '../src/notifications/channels/manifests';

const { slack, email, sms, pagerduty } = CHANNEL_IMPLEMENTATIONS;

describe('the channel registry (type checks)', () => {
  it('refuses a channel missing a part, a misnamed channel, a missing or an unknown channel', () => {
    const { ackLetter: _letter, ...slackWithoutLetter } = slack;
    const { render: _render, ...slackWithoutRender } = slack;
    const { runbook: _runbook, ...slackWithoutRunbook } = slack;
    const { followsAcknowledgement: _follows, ...slackWithoutLifecycle } = slack;
    // @ts-expect-error -- no acknowledge letter
    defineRegistry({ slack: slackWithoutLetter, email, sms, pagerduty });
    // @ts-expect-error -- no renderer
    defineRegistry({ slack: slackWithoutRender, email, sms, pagerduty });
    // @ts-expect-error -- no runbook text
    defineRegistry({ slack: slackWithoutRunbook, email, sms, pagerduty });
    // @ts-expect-error -- not said whether it follows acknowledgements
    defineRegistry({ slack: slackWithoutLifecycle, email, sms, pagerduty });
    // @ts-expect-error -- email registered under the name slack
    defineRegistry({ slack: email, email, sms, pagerduty });
    // @ts-expect-error -- pagerduty missing
    defineRegistry({ slack, email, sms });
    // @ts-expect-error -- a channel that is not in the manifests
    defineRegistry({ slack, email, sms, pagerduty, teams: { ...slack, name: 'teams' } });
    // @ts-expect-error -- an acknowledge letter is one lower-case letter
    const badLetter: ChannelManifest = { ...slack, ackLetter: 'ab' };
    expect(badLetter).toBeDefined();
    // A complete registry compiles and is what was given.
    expect(defineRegistry({ slack, email, sms, pagerduty })).toEqual({ slack, email, sms, pagerduty });
    const typed: Channel<'slack'> = slack;
    expect(typed.name).toBe('slack');
  });
});

describe('the channel manifests (load-time checks)', () => {
  const base = CHANNEL_MANIFESTS[0];
  it.each([
    ['two channels with one name', [base, { ...base, ackLetter: 'z' }], /share the name "slack"/],
    ['two channels with one acknowledge letter', [base, { ...base, name: 'teams' }], /share the letter "s"/],
    ['a name with upper case', [{ ...base, name: 'Teams' }], /lower-case letters and digits only/],
  ] as Array<[string, ChannelManifest[], RegExp]>)('refuses %s', (_label, manifests, error) => {
    expect(() => defineManifests(manifests)).toThrow(error);
  });

  it('every registered channel is its manifest plus code, in registry order', () => {
    expect([...CHANNELS]).toEqual(CHANNEL_MANIFESTS.map((manifest) => manifest.name));
    expect(Object.keys(CHANNEL_IMPLEMENTATIONS)).toEqual([...CHANNELS]);
    for (const manifest of CHANNEL_MANIFESTS) {
      const channel = CHANNEL_IMPLEMENTATIONS[manifest.name];
      expect(channel).toMatchObject(manifest);
      for (const part of ['unavailable', 'render', 'send'] as const) expect(typeof channel[part]).toBe('function');
    }
  });

  it('derives the acknowledge letters, the params and the bound secrets from the manifests', () => {
    expect(ACK_CHANNELS).toEqual({ slack: 's', email: 'e', sms: 'm', pagerduty: 'p' });
    expect(CHANNEL_SECRETS.map((entry) => entry.param.name)).toEqual(['SLACK_WEBHOOK_URL', 'SMTP_URL', 'TWILIO_AUTH_TOKEN', 'PAGERDUTY_ROUTING_KEY']);
    for (const manifest of CHANNEL_MANIFESTS) {
      for (const entry of manifest.params) expect(PARAMS).toContain(entry);
      for (const entry of manifest.secrets) expect(NOTIFICATION_SECRETS).toContain(entry.param);
      const token = signAckToken('k'.repeat(32), { alertId: 'a1', channel: manifest.name, expiresAt: new Date(Date.UTC(2030, 0, 1)) });
      expect(verifyAckToken('k'.repeat(32), token, new Date(Date.UTC(2029, 0, 1)))).toMatchObject({ ok: true, channel: manifest.name });
    }
  });
});
