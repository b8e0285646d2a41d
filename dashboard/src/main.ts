import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { onAuthStateChanged, signOut, type User } from 'firebase/auth';
import { auth, call, setup } from './api';
import { initialLang, saveLang, setTimeZone, timeZone, translator, zoneLabel, type Lang } from './i18n';
import { AlertPage, Overview } from './pages/alerts';
import { Actions, Silences, Thresholds } from './pages/admin';
import { Metrics } from './pages/metrics';
import { NotAdmin, SignIn } from './pages/signin';
import './style.css';

type Session = { state: 'loading' } | { state: 'out' } | { state: 'in'; user: User; admin: boolean };

function useRoute(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const onChange = () => setHash(location.hash || '#/');
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash.slice(1);
}

const NAV = [
  ['/', 'overview'],
  ['/metrics', 'metrics'],
  ['/thresholds', 'thresholds'],
  ['/silences', 'silences'],
  ['/actions', 'actions'],
] as const;

function App() {
  const [lang, setLang] = useState<Lang>(initialLang());
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [zone, setZone] = useState<string | null>(null);
  const route = useRoute();
  const t = translator(lang);
  useEffect(() => saveLang(lang), [lang]);
  useEffect(
    () =>
      onAuthStateChanged(auth, async (user) => {
        if (!user) return setSession({ state: 'out' });
        // Force a fresh token: a claim granted since the last sign-in is then seen.
        const token = await user.getIdTokenResult(true);
        setSession({ state: 'in', user, admin: token.claims.admin === true });
      }),
    [],
  );
  const admin = session.state === 'in' && session.admin;
  useEffect(() => {
    if (!admin) return;
    // The team's time zone (runtime configuration): every time on the dashboard is shown in it.
    // The overview's own summary calls set it too (setTimeZone), so a failed first call is made good later.
    const onZone = () => setZone(timeZone().zone);
    addEventListener('monitoring-zone', onZone);
    call<{ presentation?: { timeZone: string } }>('getSystemHealthSummary', {}).then(
      (summary) => summary.presentation?.timeZone && setTimeZone(summary.presentation.timeZone),
      () => undefined,
    );
    return () => removeEventListener('monitoring-zone', onZone);
  }, [admin]);
  useEffect(() => {
    const main = document.getElementById('main');
    if (main) main.focus({ preventScroll: true });
  }, [route]);

  const switcher = html`<label class="lang"
    ><span class="label">${t('language')}</span>
    <select aria-label=${t('language')} value=${lang} onChange=${(e: Event) => setLang((e.target as HTMLSelectElement).value as Lang)}>
      <option value="en">English</option>
      <option value="fr">Français</option>
    </select></label
  >`;

  if (session.state === 'loading') return html`<p class="pad">${t('loading')}</p>`;
  if (session.state === 'out')
    return html`<header class="top"><strong>${t('title')}</strong>${switcher}</header>
      <${SignIn} t=${t} />`;
  if (!session.admin)
    return html`<header class="top"><strong>${t('title')}</strong>${switcher}</header>
      <${NotAdmin} t=${t} email=${session.user.email ?? session.user.uid} />`;

  const path = route.split('?')[0];
  let page;
  if (path.startsWith('/alert/')) {
    const id = decodeURIComponent(path.slice('/alert/'.length));
    page = html`<${AlertPage} key=${id} t=${t} lang=${lang} id=${id} />`;
  } else if (path === '/metrics') page = html`<${Metrics} t=${t} lang=${lang} />`;
  else if (path === '/thresholds') page = html`<${Thresholds} t=${t} lang=${lang} />`;
  else if (path === '/silences') page = html`<${Silences} t=${t} lang=${lang} />`;
  else if (path === '/actions') page = html`<${Actions} t=${t} lang=${lang} />`;
  else page = html`<${Overview} t=${t} lang=${lang} />`;
  const current = path.startsWith('/alert/') ? '/' : path;

  return html` <a class="skip" href="#main" onClick=${(e: Event) => (e.preventDefault(), document.getElementById('main')?.focus())}>${t('skip')}</a>
    <header class="top">
      <strong>${t('title')}</strong>
      <nav aria-label=${t('title')}>
        ${NAV.map(([href, key]) => html`<a href=${`#${href}`} aria-current=${current === href ? 'page' : undefined}>${t(key)}</a>`)}
      </nav>
      <div class="who">
        <span class="zone" data-testid="zone" title=${zone ? undefined : t('timesIn', { zone: '?' })}>${t('timesIn', { zone: zoneLabel(lang) })}</span
        >${switcher}<span class="email">${session.user.email}</span
        ><button type="button" class="secondary" onClick=${() => signOut(auth)}>${t('signOut')}</button>
      </div>
    </header>
    <main id="main" tabindex="-1">${page}</main>`;
}

setup()
  .then(() => render(html`<${App} />`, document.getElementById('app')!))
  .catch((error: Error) => {
    document.getElementById('app')!.textContent = error.message;
  });
