/**
 * The words that frame an alert in a Slack message, an email or an SMS, in every language of
 * `LOCALES`. The alert's own texts (title, message, impact, suggested action) come from its rule.
 */
import type { Locale, Severity } from '../rules';

export interface Framing {
  /** Severity marker, upper case: the one marker a headline or subject carries. */
  severity: Record<Severity, string>;
  resolved: string;
  escalatedTo: (level: string) => string;
  stillFiring: (level: string) => string;
  unacknowledged: (level: string) => string;
  test: string;
  /** Summary of a resolved alert without a recorded resolution. */
  conditionCleared: string;
  /** SMS: what replaces the value of a resolved alert. */
  cleared: string;
  /** Window of a rule without one. */
  currentState: string;
  /** "4 (alert when more than 3)". */
  comparison: (value: string, direction: 'above' | 'below', threshold: string) => string;
  labels: {
    severity: string;
    value: string;
    window: string;
    category: string;
    since: string;
    impact: string;
    suggestedAction: string;
    runbook: string;
    environment: string;
    alert: string;
    run: string;
  };
  /** Slack footer: "<environment> · alert `id` · run `id`". */
  alertWord: string;
  runWord: string;
}

export const FRAMING: Record<Locale, Framing> = {
  en: {
    severity: { warning: 'WARNING', critical: 'CRITICAL', emergency: 'EMERGENCY' },
    resolved: 'RESOLVED',
    escalatedTo: (level) => `ESCALATED to ${level}`,
    stillFiring: (level) => `STILL FIRING ${level}`,
    unacknowledged: (level) => `UNACKNOWLEDGED ${level}`,
    test: 'TEST',
    conditionCleared: 'The condition cleared.',
    cleared: 'Cleared',
    currentState: 'current state',
    comparison: (value, direction, threshold) => `${value} (alert when ${direction === 'above' ? 'more than' : 'less than'} ${threshold})`,
    labels: {
      severity: 'Severity',
      value: 'Value',
      window: 'Window',
      category: 'Category',
      since: 'Since',
      impact: 'Impact',
      suggestedAction: 'Suggested action',
      runbook: 'Runbook',
      environment: 'Environment',
      alert: 'Alert',
      run: 'Run',
    },
    alertWord: 'alert',
    runWord: 'run',
  },
  fr: {
    severity: { warning: 'AVERTISSEMENT', critical: 'CRITIQUE', emergency: 'URGENCE' },
    resolved: 'RÉSOLUE',
    escalatedTo: (level) => `AGGRAVÉE en ${level}`,
    stillFiring: (level) => `TOUJOURS ACTIVE ${level}`,
    unacknowledged: (level) => `NON ACQUITTÉE ${level}`,
    test: 'TEST',
    conditionCleared: 'La condition a disparu.',
    cleared: 'Terminée',
    currentState: 'état actuel',
    comparison: (value, direction, threshold) => `${value} (alerte ${direction === 'above' ? 'au-dessus de' : 'en dessous de'} ${threshold})`,
    labels: {
      severity: 'Gravité',
      value: 'Valeur',
      window: 'Fenêtre',
      category: 'Catégorie',
      since: 'Depuis',
      impact: 'Impact',
      suggestedAction: 'Action suggérée',
      runbook: 'Runbook',
      environment: 'Environnement',
      alert: 'Alerte',
      run: 'Exécution',
    },
    alertWord: 'alerte',
    runWord: 'exécution',
  },
};
