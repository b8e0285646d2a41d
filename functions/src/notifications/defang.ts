/**
 * Links planted in untrusted text (a form name `https://evil.example/login`, an error code
 * `www.evil.example/reset`, a vendor's error text) must not become clickable in a message: Slack,
 * phones' SMS apps and mail clients auto-link bare URLs and host names, so the pager itself would
 * deliver a phishing lure. `defang` rewrites them the way threat reports do, so that no client
 * recognises a link and a reader still can:
 *
 * - `scheme://` becomes `scheme[://]` (`https[://]evil[.]example/login`);
 * - the dots of a host name become `[.]`: after a scheme, after `www.`, and in any bare
 *   `label.label` token whose last label is 2-24 letters (`evil[.]example`), which is what
 *   auto-linkers look for; an email address's domain is left alone (the masking of personal data
 *   recognises it, and `mailto:` is no lure).
 *
 * Pure, applied to data-derived text only (notifications/escape.ts); the product's own links (the
 * runbook, the acknowledge link) are built beside it and stay live.
 */

const dots = (host: string) => host.replace(/\./g, '[.]');

export function defang(text: string): string {
  return (
    text
      // A scheme and the host after it.
      .replace(/([A-Za-z][A-Za-z0-9+.-]{0,15}):\/\/([^\s/?#\\]*)/g, (_match, scheme: string, host: string) => `${scheme}[://]${dots(host)}`)
      // `www.` and the host it starts.
      .replace(/(^|[^A-Za-z0-9@._-])([Ww][Ww][Ww]\.[^\s/?#\\]*)/g, (_match, before: string, host: string) => `${before}${dots(host)}`)
      // A bare host name: labels and dots ending with a label of letters, not an email address's domain.
      .replace(
        /(^|[^A-Za-z0-9@._-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9_-])/g,
        (_match, before: string, host: string) => `${before}${dots(host)}`,
      )
  );
}
