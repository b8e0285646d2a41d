import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { GoogleAuthProvider, signInWithEmailAndPassword, signInWithPopup, signOut } from 'firebase/auth';
import { auth, cleanMessage } from '../api';
import type { T } from '../i18n';

export function SignIn({ t }: { t: T }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(cleanMessage((e as Error).message).replace(/^Firebase: /, ''));
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    void run(() => signInWithEmailAndPassword(auth, String(form.get('email')), String(form.get('password'))));
  };
  return html`<main id="main" class="narrow">
    <h1>${t('signInTitle')}</h1>
    <form onSubmit=${submit} class="stack">
      <label>${t('email')}<input name="email" type="email" autocomplete="username" required /></label>
      <label>${t('password')}<input name="password" type="password" autocomplete="current-password" required /></label>
      <button type="submit" disabled=${busy}>${t('signIn')}</button>
    </form>
    <p class="muted">${t('or')}</p>
    <button type="button" class="secondary" disabled=${busy} onClick=${() => run(() => signInWithPopup(auth, new GoogleAuthProvider()))}>${t('google')}</button>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
  </main>`;
}

export function NotAdmin({ t, email }: { t: T; email: string }) {
  return html`<main id="main" class="narrow">
    <h1>${t('notAdmin')}</h1>
    <p>${t('notAdminText', { email })}</p>
    <button type="button" onClick=${() => signOut(auth)}>${t('signOut')}</button>
  </main>`;
}
