/**
 * The words that frame an alert in a Slack message, an email or an SMS, in every language of
 * `LOCALES`. The alert's own texts (title, message, impact, suggested action) come from its rule.
 */
import type { AlertTexts } from '../alerts/evaluate';
import { LOCALES, type Locale, type Severity } from '../rules';

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
  /** Resolution of an alert whose rule was disabled while it was open. */
  ruleDisabled: string;
  /** Resolution of an alert whose value came back: "(value, threshold)". */
  clearedWith: (value: string, threshold: string) => string;
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
    /** The acknowledge link of a message (ack/). */
    acknowledge: string;
  };
  /** Short label of the acknowledge link in an SMS. */
  ackShort: string;
  /** Slack footer: "<environment> · alert `id` · run `id`". */
  alertWord: string;
  runWord: string;
  /** Texts of the alert-shaped document a test notification (admin dashboard) sends. */
  testNotification: (channel: string, environment: string) => AlertTexts;
  /** Grouped messages (notifications/groupFormat.ts): "3 alerts", "and 2 more". */
  alertCount: (count: number) => string;
  andMore: (count: number) => string;
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
    ruleDisabled: 'Rule disabled in configuration.',
    clearedWith: (value, threshold) => `Condition cleared: ${value} (threshold ${threshold}).`,
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
      acknowledge: 'Acknowledge',
    },
    ackShort: 'Ack',
    alertWord: 'alert',
    runWord: 'run',
    alertCount: (count) => `${count} alerts`,
    andMore: (count) => `and ${count} more`,
    testNotification: (channel, environment) => ({
      title: `Test notification (${channel})`,
      message: `Test message sent from the admin dashboard to check the ${channel} channel of the ${environment} monitoring. No action needed.`,
      impact: 'None: this is a test.',
      suggestedAction: 'Nothing to do. If you expected this message on another channel, check the routing configuration.',
      window: null,
    }),
  },
  fr: {
    severity: { warning: 'AVERTISSEMENT', critical: 'CRITIQUE', emergency: 'URGENCE' },
    resolved: 'RÉSOLUE',
    escalatedTo: (level) => `AGGRAVÉE en ${level}`,
    stillFiring: (level) => `TOUJOURS ACTIVE ${level}`,
    unacknowledged: (level) => `NON ACQUITTÉE ${level}`,
    test: 'TEST',
    conditionCleared: 'La condition a disparu.',
    ruleDisabled: 'Règle désactivée dans la configuration.',
    clearedWith: (value, threshold) => `La condition a disparu : ${value} (seuil ${threshold}).`,
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
      acknowledge: 'Acquitter',
    },
    ackShort: 'Acquitter',
    alertWord: 'alerte',
    runWord: 'exécution',
    alertCount: (count) => `${count} alertes`,
    andMore: (count) => `et ${count} de plus`,
    testNotification: (channel, environment) => ({
      title: `Notification de test (${channel})`,
      message: `Message de test envoyé depuis le tableau de bord d'administration pour vérifier le canal ${channel} du monitoring ${environment}. Aucune action requise.`,
      impact: "Aucun : c'est un test.",
      suggestedAction: 'Rien à faire. Si ce message était attendu sur un autre canal, vérifier la configuration du routage.',
      window: null,
    }),
  },
};

/** The test notification's texts in every language (stored as the alert's `i18n`). */
export function testNotificationTexts(channel: string, environment: string): Record<Locale, AlertTexts> {
  return Object.fromEntries(LOCALES.map((locale) => [locale, FRAMING[locale].testNotification(channel, environment)])) as Record<Locale, AlertTexts>;
}
