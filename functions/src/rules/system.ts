import { read } from '../sources/model';
// The channel list is data on the floor (no import back to rules): the channel_failing runbook names each channel's causes and fix.
import { CHANNEL_MANIFESTS, type ChannelName } from '../notifications/channels/manifests';
import { countFr, formatNumber, type Formatter } from './locale';
import { plainLine } from './text';
import { defineRules } from './types';

/** A string from an observation's details, or the fallback. */
function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** 15 -> "15 min", 240 -> "4 h", 90 -> "1.5 h". */
export function durationText(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

/** 15 -> "15 dernières minutes", 60 -> "dernière heure", 240 -> "4 dernières heures", 90 -> "dernières 1,5 h". */
function lastDurationFr(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)} dernières minutes`;
  const hours = minutes / 60;
  if (hours === 1) return 'dernière heure';
  return Number.isInteger(hours) ? `${hours} dernières heures` : `dernières ${formatNumber(hours, 'fr', 1)} h`;
}

/** durationText in the formatter's locale: "15 min", "4 h", "1,5 h". */
function durationFr(minutes: number, format: Formatter): string {
  if (minutes < 60) return `${Math.round(minutes)} min`;
  return `${format.number(minutes / 60, 1)} h`;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Channels for a channel-health alert: the routing of its severity without the failing channel, or,
 * when that leaves nothing, every other channel routed for emergencies. Never the broken channel.
 */
export function routeAroundChannel(
  failing: string | null,
  severity: 'warning' | 'critical' | 'emergency',
  routing: Readonly<Record<'warning' | 'critical' | 'emergency', readonly ChannelName[]>>,
): ChannelName[] {
  const usable = (list: readonly ChannelName[]) => list.filter((channel) => channel !== failing);
  const first = usable(routing[severity]);
  if (first.length > 0) return first;
  return [...new Set(usable([...routing.critical, ...routing.emergency, ...routing.warning]))];
}

/** Rules about the monitoring system itself and the platform it watches (errors, backups, config). */
export const systemRules = defineRules(
  {
    id: 'config_invalid',
    domain: 'system',
    category: 'configuration',
    title: 'Monitoring configuration override rejected',
    summary: 'Number of problems found when validating the runtime configuration document (monitoring_config/settings).',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'warning',
    thresholdRange: { min: 0, max: 0 },
    source: 'Firestore document monitoring_config/settings, validated at the start of every job run.',
    impact:
      'The rejected fields are not applied: each keeps its last valid value (or its default) while the rest of the document applies, so the change made to those fields is not in force.',
    suggestedAction: 'Fix the fields named in the alert (or use the updateThresholds callable, which validates before saving).',
    message: ({ value, details, format }) => {
      // Problems quote the rejected keys, which come from the document: one line each, bounded (each channel escapes them).
      const problems = Array.isArray(details.problems) ? (details.problems as unknown[]).map((problem) => plainLine(problem, 200)) : [];
      const fallback = (typeof details.fallback === 'string' ? details.fallback : 'the last valid configuration').replace(
        /\(saved ([^)]+)\)/,
        (_, at: string) => `(saved ${format.dateTime(at)})`,
      );
      return `The configuration override was rejected (${value} problem${value === 1 ? '' : 's'}: ${problems
        .slice(0, 5)
        .join('; ')}). Still using ${fallback}.`;
    },
    runbook: {
      meaning:
        "Someone edited monitoring_config/settings and at least one value does not pass validation. Each rejected field falls back to its last valid value (or the built-in default) and the rest of the document applies; the alert names every rejected field and what replaced it. Values checked against each other (a rule's recovery point and escalation steps) fall back together as the whole `rules.<id>` section.",
      confirm: [
        'The alert text lists each rejected field with the reason; every job run re-validates, so the alert is current.',
        'Open monitoring_config/settings in the Firestore console and compare with docs/configuration.md.',
        'Check who changed it last (`updatedBy`, `updatedAt` when the admin API wrote it) and whether a change was announced.',
      ],
      diagnose: [
        'Check the field names: unknown fields are rejected, rule ids must match docs/alerts.md.',
        'Check types and ranges (numbers, not strings; percentages 0-100; severities warning/critical/emergency).',
        'Values that depend on each other are checked after merging: a recovery threshold on the wrong side of the threshold, an escalation step below the base severity.',
      ],
      fix: [
        'Correct the document, or apply the change through the admin dashboard (updateThresholds validates before writing).',
        'Run `npm run monitor -- <job> --dry-run` to confirm the configuration loads.',
      ],
      resolvedWhen: 'The next run loads the document without problems; the alert resolves itself.',
    },
    fr: {
      title: 'Surcharge de la configuration du monitoring rejetée',
      impact:
        "Les champs rejetés ne sont pas appliqués : chacun garde sa dernière valeur valide (ou sa valeur par défaut) et le reste du document s'applique ; la modification de ces champs n'est donc pas en vigueur.",
      suggestedAction: "Corriger les champs nommés dans l'alerte (ou passer par la callable updateThresholds, qui valide avant d'enregistrer).",
      message: ({ value, details, format }) => {
        const problems = Array.isArray(details.problems) ? (details.problems as unknown[]).map((problem) => plainLine(problem, 200)) : [];
        const fallback = text(details.fallback);
        const saved = /\(saved ([^)]+)\)/.exec(fallback);
        const using = /defaults/.test(fallback)
          ? 'les valeurs par défaut intégrées'
          : `la dernière configuration valide${saved ? ` (enregistrée le ${format.dateTime(saved[1])})` : ''}`;
        return `La surcharge de configuration a été rejetée (${countFr(format, value, 'problème', 'problèmes')} : ${problems.slice(0, 5).join(' ; ')}). Configuration utilisée : ${using}.`;
      },
    },
  },
  {
    id: 'monitor_check_failed',
    domain: 'system',
    category: 'monitoring',
    title: 'A monitoring check could not run',
    summary: 'A sub-check of a job (usually a call to a vendor API) failed: timeout, 5xx, rejected credentials. The rest of the job still ran.',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'warning',
    thresholdRange: { min: 0, max: 0 },
    keyLabel: 'job/check',
    source: 'Errors raised by a job sub-check during the run (vendor SDK error message included).',
    impact: 'The metrics that check produces are unknown until it runs again: an incident there would go unseen.',
    suggestedAction: 'Read the vendor error in the alert; check the vendor status page and the credentials.',
    message: ({ key, details }) => `Check ${key ?? '?'} failed: ${typeof details.error === 'string' ? details.error : 'unknown error'}.`,
    runbook: {
      meaning:
        'One part of a monitoring job could not do its work, most often because a vendor API (Stripe, PayPal, Twilio) timed out, answered 5xx or rejected the credentials, or a Firestore query failed (a missing composite index names the index to create). The other checks of the job still ran; the alerts that check would raise are frozen (neither opened nor resolved) until it works again.',
      confirm: [
        'The alert names the job and check, and quotes the error (secrets are redacted).',
        'Look at the vendor status page: a vendor-wide incident explains it.',
        'A single failure that clears on the next run was transient; an alert open over several runs is not.',
      ],
      diagnose: [
        'Rejected credentials: the secret was rotated or revoked; compare with the vendor dashboard.',
        'Timeouts or 5xx: vendor incident or network problem; see the job logs filtered by the run id in the alert metadata (`metadata.lastRunId`), and the run record in monitoring_runs.',
        '"FAILED_PRECONDITION ... requires an index": firestore.indexes.json was not deployed; the error contains a link that creates the index.',
      ],
      fix: [
        'Rotate or fix the secret with `firebase functions:secrets:set NAME` and redeploy.',
        'Deploy the indexes with `firebase deploy --only firestore:indexes`.',
        'For a vendor incident, wait for recovery and check the affected metric by hand meanwhile.',
      ],
      resolvedWhen: 'The check succeeds on a later run; the alert resolves itself.',
    },
    fr: {
      title: "Un contrôle du monitoring n'a pas pu s'exécuter",
      impact: "Les métriques produites par ce contrôle restent inconnues jusqu'à sa prochaine exécution : un incident de ce côté passerait inaperçu.",
      suggestedAction: "Lire l'erreur du fournisseur dans l'alerte ; vérifier la page de statut du fournisseur et les identifiants.",
      message: ({ key, details }) => `Le contrôle ${key ?? '?'} a échoué : ${typeof details.error === 'string' ? details.error : 'erreur inconnue'}.`,
    },
  },
  {
    id: 'job_not_running',
    domain: 'system',
    category: 'heartbeat',
    title: 'Monitoring itself is not running',
    summary:
      'Time since the last successful run of each scheduled job, as a percentage of its period. A job that never ran is measured from the moment monitoring first noticed it, so a fresh deployment does not page.',
    unit: 'percent',
    direction: 'above',
    threshold: 150,
    severity: 'critical',
    thresholdRange: { min: 100, max: 1000 },
    keyLabel: 'job',
    window: () => 'since the last successful run',
    source:
      'Heartbeat documents monitoring_jobs/{job} (lastSuccessAt, written at the end of every run) for every job in functions/src/jobs/catalog.ts; checked by every other scheduled job on each of its runs (a job never judges itself).',
    impact: 'Everything this job watches is unwatched: an incident in its domain raises no alert. People believe they are protected while they are not.',
    suggestedAction:
      'Open the function logs and its Cloud Scheduler job; run it by hand with `npm run monitor -- <job>`; redeploy if the function or its schedule is missing.',
    message: ({ value, key, threshold, details, format }) => {
      const period = num(details.periodMinutes) ?? 0;
      const hours = num(details.hoursSinceSuccess) ?? 0;
      const lastSuccess = text(details.lastSuccessAt);
      const since = lastSuccess
        ? `has not succeeded for ${hours} h (last success ${format.dateTime(lastSuccess)})`
        : `has never succeeded since monitoring started watching it ${hours} h ago`;
      const lastError = text(details.lastError);
      return `Job ${key ?? '?'} (${text(details.exportName, '?')}) ${since}: ${value} % of its ${durationText(period)} period, limit ${threshold} % (${durationText((period * threshold) / 100)}).${lastError ? ` Last error: ${lastError}` : ''}`;
    },
    runbook: {
      meaning:
        "A scheduled monitoring job has not completed successfully for longer than 1.5 times its period (the dead man's switch). Either it is not triggered any more (Cloud Scheduler job paused or deleted, function not deployed, project billing problem) or it runs and fails every time. Whatever that job watches (payments, funnels, errors...) is currently unwatched.",
      confirm: [
        'The alert names the job, its Cloud Function and the time of its last success. Compare with the job list in the README.',
        'Was the job removed or renamed on purpose in a recent deploy? Then its heartbeat document is stale for a good reason: see "Act".',
        'Look at monitoring_runs for that job (newest `startedAt`): no recent record means it is not triggered; failed records mean it runs and fails (a job_failing alert usually accompanies it).',
      ],
      diagnose: [
        'Google Cloud console > Cloud Scheduler: the job `firebase-schedule-<function>-<region>` exists, is enabled, and shows its last attempt and result.',
        'Cloud Functions / Cloud Run logs of the function, filtered on the last hours: crashes, timeouts, "memory limit exceeded", permission errors.',
        'A missing secret or a failed deploy leaves the previous revision or no function at all: check `firebase functions:list`.',
        'Billing or quota problems on the project stop every job at once: several job_not_running alerts together point there.',
      ],
      fix: [
        'Run the job by hand to see the error: `npm run monitor -- <job>` (against production: GCLOUD_PROJECT and application default credentials).',
        'Redeploy with `npm run deploy` (recreates the Cloud Scheduler job), or resume the paused scheduler job.',
        'Fix the failure the logs show, then watch the next scheduled run succeed.',
        'For a job removed on purpose, delete its document monitoring_jobs/{job} and resolve the alert by hand.',
      ],
      resolvedWhen:
        'The job completes a run successfully; the next run of any other job (the watchdog runs every 15 minutes) sees the fresh heartbeat and resolves the alert.',
    },
    fr: {
      title: 'Le monitoring lui-même ne tourne pas',
      impact:
        "Tout ce que surveille cette tâche n'est plus surveillé : un incident dans son domaine ne lève aucune alerte. On se croit protégé alors qu'on ne l'est pas.",
      suggestedAction:
        'Ouvrir les journaux de la fonction et sa tâche Cloud Scheduler ; la lancer à la main avec `npm run monitor -- <job>` ; redéployer si la fonction ou sa planification manque.',
      window: () => 'depuis la dernière exécution réussie',
      message: ({ value, key, threshold, details, format }) => {
        const period = num(details.periodMinutes) ?? 0;
        const hours = format.number(num(details.hoursSinceSuccess) ?? 0, 1);
        const lastSuccess = text(details.lastSuccessAt);
        const since = lastSuccess
          ? `n'a pas réussi depuis ${hours} h (dernier succès le ${format.dateTime(lastSuccess)})`
          : `n'a jamais réussi depuis que le monitoring la surveille, il y a ${hours} h`;
        const lastError = text(details.lastError);
        return `La tâche ${key ?? '?'} (${text(details.exportName, '?')}) ${since} : ${format.percent(value)} de sa période de ${durationFr(period, format)}, limite ${format.percent(threshold)} (${durationFr((period * threshold) / 100, format)}).${lastError ? ` Dernière erreur : ${lastError}` : ''}`;
      },
    },
  },
  {
    id: 'job_failing',
    domain: 'system',
    category: 'heartbeat',
    title: 'A monitoring job keeps failing',
    summary: 'Consecutive failed runs of each scheduled job (retries included), from its heartbeat document.',
    unit: 'count',
    direction: 'above',
    threshold: 2,
    severity: 'critical',
    thresholdRange: { min: 0, max: 50 },
    keyLabel: 'job',
    window: () => 'consecutive runs',
    source:
      'monitoring_jobs/{job}.consecutiveFailures and lastError (reset by the next successful run); the failed runs are in monitoring_runs with their error.',
    impact: 'The job starts but never finishes its work: its alerts are neither raised nor resolved, and its notification retries are not swept.',
    suggestedAction: 'Read the last error in the alert, find the failed runs in monitoring_runs and the function logs, fix the cause and run the job by hand.',
    message: ({ value, key, details }) => {
      const lastError = text(details.lastError, 'no error recorded');
      const lastRun = text(details.lastRunId);
      return `Job ${key ?? '?'} (${text(details.exportName, '?')}) failed on its last ${value} runs${lastRun ? ` (latest ${lastRun})` : ''}: ${lastError}`;
    },
    runbook: {
      meaning:
        'A scheduled job is triggered but every recent run (including Cloud Scheduler retries) ended in an error. Unlike a silent job, it reports its error: the alert quotes the last one. A failing run is also reported to Sentry with its run id.',
      confirm: [
        'The alert gives the number of failures in a row and the last error. One failure followed by a success never alerts.',
        'A failure right after a deploy points at the deploy; a vendor or Firestore outage makes several jobs fail at once.',
      ],
      diagnose: [
        'monitoring_runs: filter on `job` and `outcome == "failed"`; each record has the error, the tick and the run id.',
        'Function logs filtered on the run id (every log line carries it); Sentry issues tagged with the same `runId`.',
        'Common causes: a missing composite index (deploy firestore.indexes.json), an invalid secret, a timeout (the run record shows `durationMs` close to the function timeout).',
      ],
      fix: [
        'Reproduce with `npm run monitor -- <job> --dry-run`, then without --dry-run once fixed.',
        'Deploy the fix (`npm run deploy`); runs are idempotent per tick, so re-running a failed tick by hand is safe.',
      ],
      resolvedWhen: 'A run succeeds (the counter drops to 0); the next run of another job resolves the alert.',
    },
    fr: {
      title: 'Une tâche de monitoring échoue en boucle',
      impact:
        'La tâche démarre mais ne termine jamais son travail : ses alertes ne sont ni levées ni résolues, et ses relances de notification ne sont pas traitées.',
      suggestedAction:
        "Lire la dernière erreur dans l'alerte, retrouver les exécutions en échec dans monitoring_runs et les journaux de la fonction, corriger la cause et lancer la tâche à la main.",
      window: () => 'exécutions consécutives',
      message: ({ value, key, details, format }) => {
        const lastError = text(details.lastError, 'aucune erreur enregistrée');
        const lastRun = text(details.lastRunId);
        const runs = value >= 2 ? `ses ${format.number(value)} dernières exécutions` : 'sa dernière exécution';
        return `La tâche ${key ?? '?'} (${text(details.exportName, '?')}) a échoué lors de ${runs}${lastRun ? ` (la plus récente : ${lastRun})` : ''} : ${lastError}`;
      },
    },
  },
  {
    id: 'critical_errors',
    domain: 'system',
    category: 'errors',
    title: 'Critical errors logged',
    summary:
      'Critical entries in error_logs from one source over a short window. Raised the moment such an entry is written (Firestore trigger); a burst from the same source is one alert whose value is the count.',
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'critical',
    thresholdRange: { min: 0, max: 10_000 },
    keyLabel: 'error source',
    params: {
      windowMinutes: {
        default: 60,
        min: 5,
        max: 1440,
        unit: 'minutes',
        description: 'Errors are counted over this window; the alert resolves once it holds none.',
      },
    },
    window: (params) => `last ${durationText(params.windowMinutes)}`,
    source:
      'error_logs entries with severity "critical", grouped by their `source` field: trigger onErrorLogCreated on each new entry (at most one evaluation per source per minute), refreshed by the watchdog and system jobs.',
    reads: [read('errorLogs', 'severity', 'source', 'timestamp')],
    impact:
      'A component of the app reports a failure its developers marked critical: users are probably affected right now (failed payment, lost booking, broken page).',
    suggestedAction: 'Open Sentry and error_logs for this source, follow the correlationId of the latest entry, and decide on a fix or rollback.',
    message: ({ value, key, window, details }) => {
      const latest = text(details.latestMessage);
      const correlation = text(details.latestCorrelationId);
      return `${value} critical error${value === 1 ? '' : 's'} from ${key ?? 'unknown source'} (${window ?? 'recent'})${latest ? `; latest: "${latest}"` : ''}${correlation ? ` (correlationId ${correlation})` : ''}.`;
    },
    runbook: {
      meaning:
        'The app wrote at least one error_logs entry with severity "critical" for this source (a function, service or page). The alert opens within seconds of the first one; further errors from the same source only raise its count (one alert, one message per channel, however many errors). The count is refreshed at most once a minute during a burst and by the watchdog every 15 minutes.',
      confirm: [
        'Look at the count and the latest message: one isolated error during a deploy is not the same as a steady stream.',
        'Check whether a deploy or a maintenance happened at the time of the first error (Firebase console > Functions, Vercel/hosting history).',
        'Try the affected user journey by hand (sign-up, booking, payment) to see whether it still works.',
      ],
      diagnose: [
        'Sentry: the issue with the same message gives the stack trace and the release that introduced it.',
        'error_logs: filter on `source` and `severity == "critical"`, newest first; follow the `correlationId` across services to the failing request.',
        'Several sources alerting at once point at a shared dependency (database, payment provider, authentication).',
      ],
      fix: [
        'Roll back the release that introduced the error, or ship a fix.',
        'If a dependency is down, put the affected feature in maintenance and communicate to users.',
        'Acknowledge the alert in the dashboard once someone is on it (stops the reminders and the escalation).',
      ],
      resolvedWhen: 'No critical error from this source during the window (60 minutes by default): the next watchdog run resolves the alert.',
    },
    fr: {
      title: 'Erreurs critiques journalisées',
      impact:
        "Un composant de l'application signale une panne que ses développeurs ont marquée critique : des utilisateurs sont probablement touchés en ce moment (paiement échoué, réservation perdue, page cassée).",
      suggestedAction:
        "Ouvrir Sentry et error_logs pour cette source, suivre le correlationId de la dernière entrée, et décider d'un correctif ou d'un retour arrière.",
      window: (params) => lastDurationFr(params.windowMinutes),
      message: ({ value, key, window, details, format }) => {
        const latest = text(details.latestMessage);
        const correlation = text(details.latestCorrelationId);
        return `${countFr(format, value, 'erreur critique', 'erreurs critiques')} de ${key ?? 'source inconnue'} (${window ?? 'récemment'})${latest ? ` ; dernière : « ${latest} »` : ''}${correlation ? ` (correlationId ${correlation})` : ''}.`;
      },
    },
  },
  {
    id: 'error_logs_high',
    domain: 'system',
    category: 'errors',
    title: 'Many high-severity errors logged',
    summary: 'Number of error_logs entries with severity "high" over the window (all sources).',
    unit: 'count',
    direction: 'above',
    threshold: 10,
    severity: 'warning',
    thresholdRange: { min: 0, max: 1_000_000 },
    params: {
      windowHours: { default: 24, min: 1, max: 168, unit: 'hours', description: 'Errors are counted over this window.' },
    },
    window: (params) => `last ${params.windowHours} h`,
    source: 'Aggregation count on error_logs (severity == "high", timestamp in the window) by the daily system job.',
    reads: [read('errorLogs', 'severity', 'timestamp')],
    impact: 'Something degrades the app without being critical yet; left alone it usually becomes an incident.',
    suggestedAction: 'Group the entries by source in error_logs or Sentry and open a ticket for the top one.',
    message: ({ value, window, details }) => `${value} high-severity errors (${window ?? 'last 24 h'}); by severity: ${text(details.bySeverityText, 'n/a')}.`,
    runbook: {
      meaning:
        'More entries with severity "high" than usual were logged over the window. High errors are failures the app recovered from or that affect part of the users; a rising count often precedes a critical incident.',
      confirm: [
        'Compare with the counts of previous days (the alert details show every severity); a release or a traffic peak explains a one-day rise.',
        'A single noisy source (a retry loop logging the same error) can inflate the count without user impact.',
      ],
      diagnose: [
        'In error_logs, filter on `severity == "high"` for the window and group by `source` and message.',
        'Sentry shows the same errors with stack traces and the release they started with.',
      ],
      fix: [
        'Fix or silence the top source (an expected condition should be logged at a lower severity).',
        'If the level is normal for the app, raise the threshold in monitoring_config/settings (rules.error_logs_high.threshold).',
      ],
      resolvedWhen: 'The daily count is back at or below the threshold; the next system run resolves the alert.',
    },
    fr: {
      title: 'Nombreuses erreurs de gravité haute journalisées',
      impact: "Quelque chose dégrade l'application sans être encore critique ; laissé tel quel, cela finit en général en incident.",
      suggestedAction: 'Regrouper les entrées par source dans error_logs ou Sentry et ouvrir un ticket pour la plus fréquente.',
      window: (params) => lastDurationFr(params.windowHours * 60),
      message: ({ value, window, details, format }) =>
        `${countFr(format, value, 'erreur de gravité haute', 'erreurs de gravité haute')} (${window ?? '24 dernières heures'}) ; par gravité : ${text(details.bySeverityText, 'n/d')}.`,
    },
  },
  {
    id: 'error_logs_medium',
    domain: 'system',
    category: 'errors',
    title: 'Many medium-severity errors logged',
    summary: 'Number of error_logs entries with severity "medium" over the window (all sources).',
    unit: 'count',
    direction: 'above',
    threshold: 100,
    severity: 'warning',
    thresholdRange: { min: 0, max: 1_000_000 },
    params: {
      windowHours: { default: 24, min: 1, max: 168, unit: 'hours', description: 'Errors are counted over this window.' },
    },
    window: (params) => `last ${params.windowHours} h`,
    source: 'Aggregation count on error_logs (severity == "medium", timestamp in the window) by the daily system job.',
    reads: [read('errorLogs', 'severity', 'timestamp')],
    impact: 'Background noise is growing: real problems get harder to see and some users meet degraded behaviour.',
    suggestedAction: 'Find the sources producing most medium errors and decide whether they are bugs or mis-classified.',
    message: ({ value, window, details }) => `${value} medium-severity errors (${window ?? 'last 24 h'}); by severity: ${text(details.bySeverityText, 'n/a')}.`,
    runbook: {
      meaning:
        'The volume of medium errors went past the daily threshold. It is a trend signal rather than an incident: something produces more errors than before.',
      confirm: [
        'Check whether the rise matches a release, a marketing campaign (more traffic) or a new feature.',
        'Look at the other severities in the alert details: a rise of every level points at traffic, a rise of one source at a bug.',
      ],
      diagnose: [
        'In error_logs, filter on `severity == "medium"` for the window and group by `source`.',
        'Check whether a client-side retry or polling loop logs the same error repeatedly.',
      ],
      fix: [
        'Open a ticket for the main source; downgrade expected conditions to `low` or `info` in the app.',
        'Adjust rules.error_logs_medium.threshold if the volume is normal for the current traffic.',
      ],
      resolvedWhen: 'The daily count is back at or below the threshold; the next system run resolves the alert.',
    },
    fr: {
      title: 'Nombreuses erreurs de gravité moyenne journalisées',
      impact: 'Le bruit de fond augmente : les vrais problèmes deviennent plus difficiles à voir et certains utilisateurs subissent un fonctionnement dégradé.',
      suggestedAction: "Trouver les sources qui produisent le plus d'erreurs moyennes et décider s'il s'agit de bugs ou d'erreurs mal classées.",
      window: (params) => lastDurationFr(params.windowHours * 60),
      message: ({ value, window, details, format }) =>
        `${countFr(format, value, 'erreur de gravité moyenne', 'erreurs de gravité moyenne')} (${window ?? '24 dernières heures'}) ; par gravité : ${text(details.bySeverityText, 'n/d')}.`,
    },
  },
  {
    id: 'backup_stale',
    domain: 'system',
    category: 'backup',
    title: 'Backup overdue',
    summary: 'Hours since the last successful backup recorded in backup_logs (9999 when none was ever recorded).',
    unit: 'hours',
    direction: 'above',
    threshold: 24,
    severity: 'critical',
    thresholdRange: { min: 1, max: 720 },
    source:
      'backup_logs: one document per backup attempt written by the backup job (status "success" or "failed", finishedAt); see docs/data-model.md for the contract.',
    reads: [read('backupLogs', 'status', 'finishedAt')],
    impact:
      'If data is lost or corrupted now, everything written since the last good backup cannot be restored: bookings, payments and accounts of that period.',
    suggestedAction: 'Check the backup job (Cloud Scheduler, its logs, the export bucket), run a backup by hand and make sure it writes a success entry.',
    message: ({ value, threshold, details, format }) => {
      const lastFailure = text(details.lastFailureAt);
      const failure = lastFailure ? ` Last failed attempt ${format.dateTime(lastFailure)}: ${text(details.lastFailureError, 'no error recorded')}.` : '';
      if (details.neverSucceeded === true) {
        return `No successful backup has ever been recorded in backup_logs (limit ${threshold} h).${failure}`;
      }
      return `Last successful backup ${value} h ago (${details.lastSuccessAt ? format.dateTime(text(details.lastSuccessAt)) : '?'}, ${text(details.lastSuccessDestination, 'destination unknown')}); limit ${threshold} h.${failure}`;
    },
    runbook: {
      meaning:
        'The newest backup_logs entry with status "success" is older than the limit (24 h by default), or there is none. Either the backup job did not run, it ran and failed, or it ran without recording its result. Until a backup succeeds, a data loss could not be fully repaired.',
      confirm: [
        'The alert shows the last success and, when there is one, the last failed attempt with its error.',
        'Check that the backup job still writes to backup_logs: a backup made by another tool (managed Firestore backups, a manual export) does not count until it records an entry.',
        'A planned pause of backups (migration) is a reason to silence this rule with a maintenance window, not to ignore it.',
      ],
      diagnose: [
        'Cloud Scheduler and the logs of the backup function: did it run at its usual time?',
        'A failed export usually names the cause: missing role (the service account needs `roles/datastore.importExportAdmin` and write access to the bucket), bucket deleted, quota.',
        'The export bucket in Cloud Storage: is there a folder for last night? `gcloud firestore operations list` shows the export operations and their state.',
      ],
      fix: [
        'Run an export by hand: `gcloud firestore export gs://<bucket>/manual-$(date +%F)` and record it in backup_logs (see docs/data-model.md).',
        'Fix the job (permissions, bucket, schedule) and check that its next run writes a success entry.',
        'If backups are handled outside this project on purpose, disable the rule (rules.backup_stale.enabled = false) and document where they are checked.',
      ],
      resolvedWhen:
        'A successful backup is recorded; the next system run (daily, 08:00) resolves the alert. Run `npm run monitor -- system` to confirm sooner.',
    },
    fr: {
      title: 'Sauvegarde en retard',
      impact:
        'Si des données sont perdues ou corrompues maintenant, tout ce qui a été écrit depuis la dernière bonne sauvegarde est irrécupérable : réservations, paiements et comptes de cette période.',
      suggestedAction:
        "Vérifier la tâche de sauvegarde (Cloud Scheduler, ses journaux, le bucket d'export), lancer une sauvegarde à la main et vérifier qu'elle écrit une entrée success.",
      message: ({ value, threshold, details, format }) => {
        const lastFailure = text(details.lastFailureAt);
        const failure = lastFailure
          ? ` Dernière tentative en échec le ${format.dateTime(lastFailure)} : ${text(details.lastFailureError, 'aucune erreur enregistrée')}.`
          : '';
        if (details.neverSucceeded === true) {
          return `Aucune sauvegarde réussie n'a jamais été enregistrée dans backup_logs (limite ${format.number(threshold)} h).${failure}`;
        }
        const lastSuccess = text(details.lastSuccessAt);
        return `Dernière sauvegarde réussie il y a ${format.number(value, 1)} h (${lastSuccess ? format.dateTime(lastSuccess) : '?'}, ${text(details.lastSuccessDestination, 'destination inconnue')}) ; limite ${format.number(threshold)} h.${failure}`;
      },
    },
  },
  {
    id: 'deployment_config_missing',
    domain: 'system',
    category: 'configuration',
    title: 'Deployment params or secrets missing',
    summary:
      "Number of params and secrets the deployment declares (functions/src/config/params.ts and the jobs' secrets) that have no value. Names are reported, values never.",
    unit: 'count',
    direction: 'above',
    threshold: 0,
    severity: 'critical',
    thresholdRange: { min: 0, max: 50 },
    source:
      "The functions' environment at run time (params from functions/.env.<project>, the system job's own secrets from Secret Manager; the other jobs' secrets as their last deployed run recorded them in monitoring_jobs); recipient lists also count as set when monitoring_config/settings provides them.",
    impact: 'What needs the missing value is disabled: a notification channel, an error report or a vendor check silently does nothing.',
    suggestedAction:
      'Set each missing name (`firebase functions:secrets:set NAME` for secrets, functions/.env.<project> for params) and redeploy; set a secret to `none` to disable its feature on purpose.',
    message: ({ value, details }) => {
      const total = num(details.total) ?? 0;
      const missing = names(details.missing);
      const disabled = names(details.disabled);
      return `${total - value} of ${total} params and secrets are set; missing: ${missing.join(', ') || 'none'}.${disabled.length ? ` Disabled on purpose: ${disabled.join(', ')}.` : ''}`;
    },
    runbook: {
      meaning:
        'At least one param or secret the deployment declares has no value in the running functions. A secret set to "none" (or "disabled") counts as disabled on purpose and does not alert; an empty or absent one does. The alert lists names only: values are never read into alerts or logs.',
      confirm: [
        'The alert lists the missing names and says "N of M" are set. Compare with the params table in the README (what each one is needed for).',
        'A channel deliberately not used (no SMS, for example) should have its secret set to `none` and its params left unset; then only the params remain: set them to `none` too.',
      ],
      diagnose: [
        '`firebase functions:secrets:access NAME` (needs permission) shows whether a secret has a version; `firebase functions:secrets:get NAME` lists versions.',
        'Params come from functions/.env.<project-id> at deploy time: check the file used for this project.',
        'A secret added to the code but never created makes the deploy fail; a secret created empty or a param missing from the .env file shows up here.',
      ],
      fix: [
        'Secrets: `npm run firebase -- functions:secrets:set NAME`, then redeploy (`npm run deploy`) so the functions bind the new version.',
        'Params: add `NAME=value` to functions/.env.<project-id> and redeploy.',
        'Recipients can also be set at run time in monitoring_config/settings (`recipients.emails`, `recipients.phones`).',
      ],
      resolvedWhen: 'Every declared name has a value at the next system run; the alert resolves itself.',
    },
    fr: {
      title: 'Paramètres ou secrets de déploiement manquants',
      impact:
        "Ce qui a besoin de la valeur manquante est désactivé : un canal de notification, un rapport d'erreur ou un contrôle fournisseur ne fait rien, sans le dire.",
      suggestedAction:
        'Définir chaque nom manquant (`firebase functions:secrets:set NOM` pour les secrets, functions/.env.<projet> pour les paramètres) et redéployer ; donner la valeur `none` à un secret pour désactiver volontairement sa fonctionnalité.',
      message: ({ value, details, format }) => {
        const total = num(details.total) ?? 0;
        const missing = names(details.missing);
        const disabled = names(details.disabled);
        return `${format.number(total - value)} paramètres et secrets définis sur ${format.number(total)} ; manquants : ${missing.join(', ') || 'aucun'}.${disabled.length ? ` Désactivés volontairement : ${disabled.join(', ')}.` : ''}`;
      },
    },
  },
  {
    id: 'channel_failing',
    domain: 'system',
    category: 'notifications',
    title: 'A notification channel keeps failing',
    summary: 'Failed delivery attempts in a row on a channel (Slack, email, SMS) since its last successful delivery. Reported through the other channels.',
    unit: 'count',
    direction: 'above',
    threshold: 2,
    severity: 'critical',
    thresholdRange: { min: 0, max: 100 },
    keyLabel: 'channel',
    params: {
      lookbackHours: {
        default: 72,
        min: 1,
        max: 720,
        unit: 'hours',
        description: 'Only deliveries created in this period are considered.',
      },
    },
    window: (params) => `since the last successful delivery, at most ${params.lookbackHours} h`,
    source:
      'monitoring_deliveries: the newest "sent" delivery of the channel, then the attempts of its "failed", "ambiguous" and "dead" deliveries created after it (aggregation), by the watchdog and system jobs.',
    impact: 'Alerts routed to this channel do not reach anyone there; for SMS that means emergencies may go unnoticed at night.',
    suggestedAction:
      'Read the channel error in the alert and fix the credential or endpoint (webhook revoked, SMTP password changed, Twilio balance or token).',
    message: ({ value, key, details, format }) => {
      const deliveries = num(details.failedDeliveries) ?? 0;
      const lastSent = text(details.lastSentAt);
      return `${key ?? '?'}: ${value} failed delivery attempts in a row (${deliveries} message${deliveries === 1 ? '' : 's'}) ${lastSent ? `since the last success at ${format.dateTime(lastSent)}` : 'and no recent success'}; last error: ${text(details.lastError, 'unknown')}.`;
    },
    channels: ({ key, severity, routing }) => routeAroundChannel(key, severity, routing),
    runbook: {
      meaning:
        'Messages to one channel have failed several times in a row with no success in between: the Slack webhook, the SMTP server or the Twilio account is rejecting or not answering. Failed messages are retried with backoff and abandoned after `notifications.maxAttempts`. This alert is sent through the channels of its severity minus the broken one (by default email when Slack fails, Slack when email fails, both when SMS fails), so it reaches people through a channel that works.',
      confirm: [
        'The alert quotes the last error of the channel; compare with the vendor status page (Slack, the SMTP provider, Twilio).',
        'A short vendor outage resolves by itself after the retries; a credential problem (401/403, "invalid_token", "Authenticate") does not.',
      ],
      diagnose: [
        'monitoring_deliveries: filter on `channel` and `status in ["failed", "ambiguous", "dead"]`, newest first; `lastError` and the alert\'s `notifications` list show each attempt.',
        CHANNEL_MANIFESTS.map((channel) => channel.runbook.diagnose).join(' '),
        'Send a test message through the admin dashboard once the fix is in.',
      ],
      fix: [
        `Replace the secret (${CHANNEL_MANIFESTS.map((channel) => `${channel.label}: ${channel.runbook.fix}`).join(', ')}) and redeploy.`,
        'Top up or unlock the vendor account when that is the cause.',
        'While the channel is down, make sure someone watches the other channels (add email recipients or a phone to monitoring_config/settings if needed).',
      ],
      resolvedWhen:
        'A message is delivered on the channel again; the next watchdog run sees the success and resolves the alert (the resolution is sent to the channels that received it).',
    },
    fr: {
      title: 'Un canal de notification échoue en boucle',
      impact: "Les alertes routées vers ce canal n'y atteignent personne ; pour les SMS, des urgences peuvent passer inaperçues la nuit.",
      suggestedAction:
        "Lire l'erreur du canal dans l'alerte et corriger l'identifiant ou le point d'accès (webhook révoqué, mot de passe SMTP changé, solde ou jeton Twilio).",
      window: (params) => `depuis la dernière livraison réussie, ${params.lookbackHours} h au plus`,
      message: ({ value, key, details, format }) => {
        const deliveries = num(details.failedDeliveries) ?? 0;
        const lastSent = text(details.lastSentAt);
        return `${key ?? '?'} : ${countFr(format, value, 'tentative de livraison échouée', 'tentatives de livraison échouées')} d'affilée (${countFr(format, deliveries, 'message', 'messages')}) ${lastSent ? `depuis le dernier succès le ${format.dateTime(lastSent)}` : 'et aucun succès récent'} ; dernière erreur : ${text(details.lastError, 'inconnue')}.`;
      },
    },
  },
);
