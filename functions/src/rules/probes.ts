/**
 * Checks made from the outside (probes job, every 5 minutes): HTTP probes of the app's own endpoints
 * declared in `probes.endpoints`, keyed per endpoint name. Written to system_alerts.
 */
import { defineRules } from './types';

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export const probeRules = defineRules(
  {
    id: 'http_probe_down',
    domain: 'system',
    category: 'probes',
    title: 'Endpoint down',
    summary: 'Consecutive failed probes of an endpoint (no answer within the timeout, unexpected status, body or JSON condition not met).',
    unit: 'count',
    direction: 'above',
    threshold: 1,
    severity: 'critical',
    thresholdRange: { min: 0, max: 100 },
    keyLabel: 'endpoint',
    window: () => 'consecutive probes',
    source: 'The probes job: one request per endpoint of `probes.endpoints` per run; results kept in monitoring_probes/{endpoint}.',
    impact: 'Users reaching this endpoint (the app, an API, a health page) get errors or nothing at all.',
    suggestedAction:
      'Open the endpoint yourself, read the failure reason in the alert, then check the service behind it (deploys, hosting, DNS, certificates).',
    message: ({ value, key, details }) => {
      const reason = text(details.lastError, 'no reason recorded');
      const target = text(details.target);
      return `${key ?? '?'}${target ? ` (${target})` : ''} failed its last ${value} probes: ${reason}`;
    },
    fr: {
      title: 'Point de terminaison en panne',
      impact: "Les utilisateurs qui passent par ce point de terminaison (l'application, une API, une page de santé) reçoivent des erreurs ou rien du tout.",
      suggestedAction:
        "Ouvrir le point de terminaison soi-même, lire la cause de l'échec dans l'alerte, puis vérifier le service derrière (déploiements, hébergement, DNS, certificats).",
      window: () => 'sondes consécutives',
      message: ({ value, key, details }) => {
        const reason = text(details.lastError, 'aucune cause enregistrée');
        const target = text(details.target);
        return `${key ?? '?'}${target ? ` (${target})` : ''} a échoué à ses ${value} dernières sondes : ${reason}`;
      },
    },
    runbook: {
      meaning:
        'The probes job could not get an expected answer from the endpoint several times in a row: no answer within the timeout, a connection or TLS error, an unexpected HTTP status, or a body that does not meet the configured condition.',
      confirm: [
        'Request the URL yourself (browser or `curl -i`), from outside Google Cloud as well: a failure seen only from the probe points at egress, DNS or an allow-list.',
        'A planned maintenance or a deploy in progress explains a short outage: silence the alert for its duration (createSilence).',
        'monitoring_probes/{endpoint}.recent lists every recent result with its status, latency and error.',
      ],
      diagnose: [
        'Timeout: the service is overloaded or hangs (check its latency and instance count); "fetch failed" with a certificate error: the TLS certificate is invalid, expired or self-signed.',
        'Status 5xx: the service logs around the failure time; 4xx: a changed route or an expired credential in the probe headers (PROBE_TOKEN).',
        'Body or JSON condition not met: the service answers but reports itself unhealthy; the alert quotes (bounded) what it found.',
      ],
      fix: [
        'Restore the service (roll back the last deploy, scale up, renew the certificate).',
        'If the endpoint changed on purpose, update `probes.endpoints` in monitoring_config/settings (URL, expected status, condition).',
      ],
      resolvedWhen: 'A probe succeeds again: the counter drops to 0 and the alert resolves at that run.',
    },
  },
  {
    id: 'http_probe_slow',
    domain: 'system',
    category: 'probes',
    title: 'Endpoint slow',
    summary: "95th-percentile latency of an endpoint's answered probes over the window, as a percentage of its `maxLatencyMs` budget.",
    unit: 'percent',
    direction: 'above',
    threshold: 100,
    severity: 'warning',
    thresholdRange: { min: 1, max: 10_000 },
    minSample: { default: 3, label: 'answered probes' },
    keyLabel: 'endpoint',
    params: {
      windowMinutes: { default: 30, min: 10, max: 1_440, unit: 'minutes', description: 'Window of probe results the p95 is computed on.' },
    },
    window: (params) => `last ${params.windowMinutes} min`,
    source: 'Latencies of the answered probes kept in monitoring_probes/{endpoint}.recent (timeouts count as down, not as slow).',
    impact: 'Pages and API calls behind this endpoint are slow for users; slowness often precedes an outage.',
    suggestedAction: 'Check the load and the recent deploys of the service behind the endpoint; compare with its usual latency in monitoring_probes.',
    message: ({ value, key, window, details }) => {
      const p95 = num(details.p95Ms);
      const budget = num(details.maxLatencyMs);
      return `${key ?? '?'}: p95 latency ${p95 ?? '?'} ms over the ${window ?? 'window'} is ${value} % of its ${budget ?? '?'} ms budget.`;
    },
    fr: {
      title: 'Point de terminaison lent',
      impact: "Les pages et appels d'API derrière ce point de terminaison sont lents pour les utilisateurs ; la lenteur précède souvent une panne.",
      suggestedAction:
        'Vérifier la charge et les déploiements récents du service derrière le point de terminaison ; comparer avec sa latence habituelle dans monitoring_probes.',
      window: (params) => `${params.windowMinutes} dernières min`,
      message: ({ value, key, window, details }) => {
        const p95 = num(details.p95Ms);
        const budget = num(details.maxLatencyMs);
        return `${key ?? '?'} : latence p95 de ${p95 ?? '?'} ms sur la fenêtre (${window ?? '?'}), soit ${value} % de son budget de ${budget ?? '?'} ms.`;
      },
    },
    runbook: {
      meaning: "Most probes get an answer, but the slowest 5 % of them took longer than the endpoint's latency budget (`maxLatencyMs`).",
      confirm: [
        'monitoring_probes/{endpoint}.recent: a single outlier does not make a p95; several slow results in the window do.',
        'A cold start after a quiet period makes one slow answer: raise `minSample` or the window if the endpoint scales to zero.',
      ],
      diagnose: ['Service latency and instance metrics (Cloud Run / hosting), database latency, a slow dependency the endpoint calls.'],
      fix: ['Scale the service (min instances), fix the slow dependency, or raise `maxLatencyMs` if the budget was too tight.'],
      resolvedWhen: 'The p95 over the window is back within the budget.',
    },
  },
  {
    id: 'http_probe_certificate_expiring',
    domain: 'system',
    category: 'probes',
    title: 'TLS certificate expiring',
    summary: 'Days left before the TLS certificate served by an https:// endpoint expires (negative: expired).',
    unit: 'count',
    direction: 'below',
    threshold: 14,
    severity: 'warning',
    thresholdRange: { min: 0, max: 365 },
    keyLabel: 'endpoint',
    window: () => 'days left',
    source: 'The certificate the endpoint presents in the TLS handshake (read on every probe of an https:// endpoint, trusted or not).',
    impact: 'When it expires, browsers and API clients refuse the connection: the endpoint is down for everyone.',
    suggestedAction: 'Renew the certificate (or fix its automatic renewal) before it expires.',
    message: ({ value, key, details }) => {
      const validTo = text(details.validTo, '?');
      const state = value < 0 ? `expired ${Math.abs(value)} days ago` : `expires in ${value} days`;
      return `${key ?? '?'}: the TLS certificate${details.trusted === false ? ' (not trusted)' : ''} ${state} (${validTo}).`;
    },
    fr: {
      title: 'Certificat TLS bientôt expiré',
      impact: "À son expiration, navigateurs et clients d'API refusent la connexion : le point de terminaison est hors service pour tous.",
      suggestedAction: "Renouveler le certificat (ou réparer son renouvellement automatique) avant qu'il n'expire.",
      window: () => 'jours restants',
      message: ({ value, key, details }) => {
        const validTo = text(details.validTo, '?');
        const state = value < 0 ? `a expiré il y a ${Math.abs(value)} jours` : `expire dans ${value} jours`;
        return `${key ?? '?'} : le certificat TLS${details.trusted === false ? ' (non reconnu)' : ''} ${state} (${validTo}).`;
      },
    },
    runbook: {
      meaning: 'The certificate served by the endpoint is close to its expiry date.',
      confirm: ['`openssl s_client -connect host:443 -servername host </dev/null | openssl x509 -noout -enddate` shows the same date.'],
      diagnose: [
        'Managed certificates (Firebase Hosting, Cloud Run domain mapping, a CDN) renew themselves about 30 days ahead: a near expiry means renewal fails, often a DNS record that no longer points at the provider.',
      ],
      fix: ['Fix the DNS or the renewal job, or upload a renewed certificate.'],
      resolvedWhen: 'The endpoint serves a certificate valid for longer than the threshold.',
    },
  },
);
