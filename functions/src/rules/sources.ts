/**
 * The monitoring's own inputs (sources job, hourly; monitors/system/sourceHealth.ts): a mapped source
 * that stops being written while its own history says it normally is, sampled documents that stop
 * carrying a mapped field, and values of a mapped vocabulary that the mapping does not know. Without
 * them, a rename in the app makes every count 0 and every rule reading it silent for ever.
 */
import { defineRules } from './types';

const text = (value: unknown, fallback = '?') => (typeof value === 'string' && value ? value : fallback);
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const list = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const rulesText = (value: unknown, none: string) => (list(value).length ? list(value).join(', ') : none);

export const sourceRules = defineRules(
  {
    id: 'source_stale',
    domain: 'system',
    category: 'data',
    title: 'App data stopped arriving',
    summary:
      'Documents a source usually receives over the span it has now been silent (average of the same hours of the previous weeks), when it has been silent for at least minSilenceMinutes.',
    unit: 'count',
    direction: 'above',
    threshold: 20,
    severity: 'critical',
    thresholdRange: { min: 1, max: 100_000 },
    params: {
      minSilenceMinutes: { default: 60, min: 15, max: 1_440, unit: 'minutes', description: 'A source silent for less than this is not judged.' },
      weeks: { default: 3, min: 1, max: 8, unit: 'weeks', description: 'Previous weeks whose same hours make the expectation.' },
    },
    keyLabel: 'source',
    source:
      'The newest document of each mapped source (one ordered read by its freshness field), and while it is silent one capped count per previous week over the same hours: at most 4 reads per source.',
    impact:
      'Every rule that reads this source now counts nothing: failures, blocks and backlogs in it go unseen and the dashboard stays green while customers are affected.',
    suggestedAction:
      'Check whether the app still writes this collection (a deploy that renamed it or a field, a broken writer, a real outage of the flow), then run `npm run monitor -- doctor`.',
    message: ({ value, key, details, format }) =>
      `No ${key ?? 'source'} document written to ${text(details.collection)} for ${format.number(num(details.silentHours), 1)} h (newest ${details.newestAt ? format.dateTime(text(details.newestAt)) : 'never'}); the same hours of the last ${num(details.weeks)} weeks had ${format.number(value, 1)} on average. Rules blind meanwhile: ${rulesText(details.rules, 'none')}.`,
    runbook: {
      meaning:
        'A source the monitors read (payments, analytics events...) has received nothing for a span in which it usually receives many documents. Either the app stopped writing it (an outage of the flow, a broken writer) or writes it elsewhere (a renamed collection or time field after a refactor): in both cases the rules reading it are blind.',
      confirm: [
        'The alert says how long the source has been silent, what the same hours of the previous weeks held, and which rules are blind meanwhile.',
        'A planned pause (maintenance, a migration, a holiday closure) explains it: silence the rule for its duration.',
        '`npm run monitor -- doctor` shows each source with its newest write and whether its fields are there.',
      ],
      diagnose: [
        'Look at the collection in the Firestore console: are new documents arriving under another name, or in another collection?',
        'Check the latest deploys of the app: a renamed collection or field needs the same change in functions/sources.json.',
        'If nothing is written at all, the flow itself is down: look at the app backend logs and the other alerts of the same time.',
      ],
      fix: [
        'A rename: update functions/sources.json (collection, field path or type), run `npm run docs` for the indexes, deploy, and run the doctor again.',
        'An outage: fix the writer; the alert resolves on the next hourly run after a document arrives.',
      ],
      resolvedWhen: 'A document arrives in the source; the next hourly run of the sources job resolves the alert.',
    },
    fr: {
      title: "Les données de l'app n'arrivent plus",
      impact:
        'Chaque règle qui lit cette source ne compte plus rien : échecs, blocages et retards y passent inaperçus et le tableau de bord reste vert pendant que des clients sont touchés.',
      suggestedAction:
        "Vérifier que l'app écrit toujours cette collection (un déploiement qui l'a renommée ou a renommé un champ, un écrivain cassé, une vraie panne du parcours), puis lancer `npm run monitor -- doctor`.",
      message: ({ value, key, details, format }) =>
        `Aucun document ${key ?? 'source'} écrit dans ${text(details.collection)} depuis ${format.number(num(details.silentHours), 1)} h (le plus récent : ${details.newestAt ? format.dateTime(text(details.newestAt)) : 'jamais'}) ; les mêmes heures des ${num(details.weeks)} dernières semaines en comptaient ${format.number(value, 1)} en moyenne. Règles aveugles en attendant : ${rulesText(details.rules, 'aucune')}.`,
    },
  },
  {
    id: 'source_field_missing',
    domain: 'system',
    category: 'data',
    title: 'Mapped field missing from app data',
    summary:
      'Share (%) of the newest documents of a source that carry a mapped field with its declared type, among those it applies to (failedAt on failed payments); one source sampled per run, in turn.',
    unit: 'percent',
    direction: 'below',
    threshold: 50,
    severity: 'critical',
    thresholdRange: { min: 1, max: 100 },
    minSample: { default: 5, label: 'sampled documents the field applies to' },
    params: {
      sampleSize: { default: 10, min: 5, max: 50, unit: 'documents', description: 'Newest documents read from the source of the run.' },
    },
    keyLabel: 'field',
    source: 'The newest sampleSize documents (by the freshness field) of one mapped source per hourly run, in turn: sampleSize reads.',
    impact: 'The rules reading this field count only the documents that still carry it: an incident in the others goes unseen.',
    suggestedAction:
      'Find the app change that renamed or retyped the field (or stopped writing it) and update functions/sources.json, or fix the writer; `npm run monitor -- doctor` confirms.',
    message: ({ value, key, details, format }) =>
      `Only ${format.number(value, 0)} % of the ${num(details.sampled)} newest ${text(details.collection)} documents it applies to carry ${text(details.path)} as ${text(details.type)} (${key ?? ''}). Rules affected: ${rulesText(details.rules, 'none')}.`,
    runbook: {
      meaning:
        'Recent documents of a source no longer carry a field the rules read, or carry it with another type (an ISO string where a Timestamp is mapped). Queries on that field skip those documents silently.',
      confirm: [
        'The alert names the collection, the field path and type, and the rules affected.',
        'Open a few recent documents in the Firestore console: is the field there under another name or type?',
      ],
      diagnose: ['Look at the latest deploys of the app and of its writers; `npm run monitor -- doctor` shows every field of every source.'],
      fix: ['Map the new name or type in functions/sources.json (then `npm run docs` for the indexes and deploy), or restore the field in the writer.'],
      resolvedWhen: 'The sampled documents carry the field again; the source is sampled again within a few hours (one source per hourly run, in turn).',
    },
    fr: {
      title: "Champ attendu absent des données de l'app",
      impact: 'Les règles qui lisent ce champ ne comptent que les documents qui le portent encore : un incident dans les autres passe inaperçu.',
      suggestedAction:
        "Trouver le changement de l'app qui a renommé, changé de type ou cessé d'écrire le champ et mettre à jour functions/sources.json, ou corriger l'écrivain ; `npm run monitor -- doctor` le confirme.",
      message: ({ value, key, details, format }) =>
        `Seulement ${format.number(value, 0)} % des ${num(details.sampled)} documents ${text(details.collection)} les plus récents concernés portent ${text(details.path)} en ${text(details.type)} (${key ?? ''}). Règles touchées : ${rulesText(details.rules, 'aucune')}.`,
    },
  },
  {
    id: 'source_value_unknown',
    domain: 'system',
    category: 'data',
    title: 'Unknown status value in app data',
    summary: 'Share (%) of the newest sampled documents of a source whose vocabulary field (a status) holds a value the mapping does not know.',
    unit: 'percent',
    direction: 'above',
    threshold: 10,
    severity: 'warning',
    thresholdRange: { min: 0, max: 100 },
    minSample: { default: 5, label: 'sampled documents with the field' },
    keyLabel: 'field',
    source: 'The same sample as source_field_missing (no extra read).',
    impact: 'Documents with that value are counted by no rule: if it means a failure (a new `declined` status), failures go unseen.',
    suggestedAction: 'Decide what the value means and add it to functions/sources.json (values for a meaning, or knownValues when no rule cares).',
    message: ({ value, key, details, format }) =>
      `${format.number(value, 0)} % of the ${num(details.sampled)} newest ${text(details.collection)} documents have a ${text(details.path)} the mapping does not know: ${text(details.values)} (${key ?? ''}).`,
    runbook: {
      meaning: 'The app writes a value of a status-like field that the mapping does not list: no rule counts those documents.',
      confirm: ['The alert lists the unknown values with their counts in the sample.', '`npm run monitor -- doctor` lists them over a larger sample.'],
      diagnose: ['Find where the app writes that value (a new payment state, a provider change) and what it means for the business.'],
      fix: ['Add it to `values` for its meaning (failed, captured...) or to `knownValues` in functions/sources.json, and deploy.'],
      resolvedWhen: 'The value is mapped, or no longer shows up in the sample; the source is sampled again within a few hours.',
    },
    fr: {
      title: "Valeur de statut inconnue dans les données de l'app",
      impact:
        'Les documents portant cette valeur ne sont comptés par aucune règle : si elle signifie un échec (un nouveau statut `declined`), les échecs passent inaperçus.',
      suggestedAction:
        "Décider ce que signifie la valeur et l'ajouter à functions/sources.json (values pour un sens, ou knownValues si aucune règle ne s'en sert).",
      message: ({ value, key, details, format }) =>
        `${format.number(value, 0)} % des ${num(details.sampled)} documents ${text(details.collection)} les plus récents ont un ${text(details.path)} que le mapping ne connaît pas : ${text(details.values)} (${key ?? ''}).`,
    },
  },
);
