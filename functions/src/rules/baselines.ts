/**
 * For each count and rate rule whose meaning depends on the app's traffic: whether a baseline (its
 * own history, or a ratio to volume) would serve better than the absolute threshold, and which one.
 * Rendered into docs/alerts.md under each rule ("Baseline"). The blocked rules already judge against
 * the app's own success rate (monitors/functional/blocked.ts); the others keep the specification's
 * thresholds by default, which fit an app of the size the specification describes. A test checks
 * that every count or rate rule of the payment and functional domains has an entry.
 */
export const BASELINE_NOTES: Readonly<Record<string, string>> = {
  stripe_payment_failures:
    'Would serve better at scale: 3 failures an hour is an incident at 20 payments an hour and an ordinary hour at 2,000 (the quality benchmark measures false criticals at about 5,000 payments a day, docs/performance.md). A ratio to volume (failed per 100 attempts in the window) or the same hour over the last weeks fits any size; keep an absolute floor so a quiet hour with 2 failures of 3 does not page.',
  paypal_payment_failures:
    'As stripe_payment_failures: a ratio to PayPal attempts (or the same hour in previous weeks) at any volume above a few hundred payments a day.',
  uncaptured_payments:
    'Mostly absolute: authorised payments left uncaptured for 6 h are money at risk whatever the volume. At high volume a ratio to the authorisations of the window avoids paging for a handful.',
  payouts_pending_too_long: 'Absolute is right while payouts are few; with hundreds a day, a ratio to the payouts created in the window.',
  failed_payouts: 'No: any failed payout is an incident for the provider concerned.',
  failed_calls:
    'Would serve better above a few hundred calls a day: failed per 100 calls of the window, or the same hour over the last weeks (busy evenings fail more in absolute numbers).',
  orphaned_call_sessions: 'A ratio to the sessions expected to end in the window, at high call volume.',
  capture_rate:
    'Already a ratio to volume; a baseline of its own history helps only for apps whose normal capture rate is below 90 % (delayed capture by design).',
  stripe_undelivered_webhooks: 'No: zero-tolerance cross-check.',
  stripe_paid_not_recorded: 'No: zero-tolerance cross-check.',
  paypal_payout_items_failed: 'No: zero-tolerance cross-check.',
  twilio_failed_calls: 'As failed_calls: a ratio to the calls Twilio listed in the window at high volume.',
  signup_blocked: 'Already judged against the form’s own conversion, learned from its history (the threshold is the minimum count).',
  signup_dropoff_high:
    'Would serve better: a form’s normal drop-off is a product property (a long provider form may drop 50 % every day). The same form’s drop-off over the last weeks, with a jump of some points above it, says "something changed".',
  booking_blocked: 'Already judged against the usual share of searches that end in a booking, learned from the history.',
  booking_failure_rate:
    'A rate already; its 24-hour window dilutes an outage that starts mid-day (the benchmark’s 8-hour degradation). The same hours over previous weeks, or a shorter window at high volume, would see it sooner.',
  form_error_rate: 'A rate already; forms with a normal error rate above 5 % (strict validation) need their own history as the baseline.',
  form_subjects_capped: 'No: a configuration signal.',
  meta_capi_inactive:
    'The traffic minimum protects quiet nights; at high volume a ratio of sends to conversions (or to the same hours of previous weeks) would catch a partial failure, not only a dead sender.',
  google_ads_inactive: 'As meta_capi_inactive.',
  providers_available_low:
    'Absolute is right for a small marketplace; with hundreds of providers, a share of the active ones or the same hour of previous weeks (evenings and weekends have fewer).',
  top_rated_unavailable: 'A share already.',
  payment_flow_conversion_low:
    'A rate already; apps whose normal checkout conversion is close to 20 % need their own history (the same hours over the last weeks) as the baseline, and the 24-hour window dilutes an outage.',
  payment_flow_blocked: 'Already judged against the usual share of checkouts that end in a payment, learned from the history.',
  payment_flow_error_repeated:
    'Would serve better at scale: card_declined occurs many times a day at 5,000 payments a day, so "more than 3 in 24 h" stays open all the time (the benchmark counts it as a false critical). A ratio to payments per code, or the code’s own history, separates a systemic code from the usual declines.',
  commissions_pending_overdue: 'A ratio to the commissions created in the period at high volume.',
  error_logs_high: 'Would serve better: the same hours over the last weeks, as error volumes grow with traffic.',
  error_logs_medium: 'As error_logs_high.',
  sms_delivery_rate_low: 'A rate already.',
  email_bounce_rate_high: 'A rate already.',
};
