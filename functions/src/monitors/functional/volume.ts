/**
 * Volume of the documents browsers write (analytics_events, form_errors): the last hour against the
 * hourly average of the week before. A flood far above the usual rate (a script writing fake events
 * or junk form names) shows in functional_metrics (metrics.client_write_volume); docs/security.md
 * says what an operator can do about it. Four aggregation counts per run.
 */
import type { CheckEnv, FunctionalCheck } from './checks';

/** A last hour above this many times the usual hourly rate (and above FLOOD_MIN_PER_HOUR) is flagged as a flood. */
export const FLOOD_FACTOR = 10;
export const FLOOD_MIN_PER_HOUR = 100;
const BASELINE_HOURS = 7 * 24;

export interface VolumeFigures {
  lastHour: number;
  /** Average documents per hour over the week before the last hour. */
  usualPerHour: number;
  /** lastHour / usualPerHour (null when there is no usual volume). */
  ratio: number | null;
  flood: boolean;
}

/** Pure: the figures of one collection. */
export function volumeFigures(lastHour: number, baselineCount: number, baselineHours = BASELINE_HOURS - 1): VolumeFigures {
  const usualPerHour = baselineCount / baselineHours;
  const ratio = usualPerHour > 0 ? Math.round((lastHour / usualPerHour) * 10) / 10 : null;
  const flood = lastHour >= FLOOD_MIN_PER_HOUR && lastHour > FLOOD_FACTOR * usualPerHour;
  return { lastHour, usualPerHour: Math.round(usualPerHour * 10) / 10, ratio, flood };
}

async function figuresOf(env: CheckEnv, name: 'analyticsEvents' | 'formErrors'): Promise<VolumeFigures> {
  const lastHour = env.window(1);
  const week = env.window(BASELINE_HOURS);
  const source = env.from(name);
  const [recent, before] = await Promise.all([
    env.count(env.within(source, lastHour)),
    env.count(env.within(source, env.between(week.startMs, lastHour.startMs))),
  ]);
  return volumeFigures(recent, before);
}

export const clientWriteVolume: FunctionalCheck = {
  name: 'client_write_volume',
  group: 'forms',
  critical: false,
  rules: [],
  async run(env) {
    const mapped = (name: 'analyticsEvents' | 'formErrors') =>
      env.ctx.sources.source(name).collection !== null && env.ctx.sources.source(name).fields.timestamp !== null;
    if (!mapped('analyticsEvents') || !mapped('formErrors')) return { windowHours: 1, notMapped: true };
    const [analyticsEvents, formErrors] = await Promise.all([figuresOf(env, 'analyticsEvents'), figuresOf(env, 'formErrors')]);
    if (analyticsEvents.flood || formErrors.flood) {
      env.ctx.log.warn('Client-written documents far above their usual rate (see docs/security.md)', { analyticsEvents, formErrors });
    }
    return {
      windowHours: 1,
      baselineHours: BASELINE_HOURS,
      analytics_events: analyticsEvents,
      form_errors: formErrors,
      flood: analyticsEvents.flood || formErrors.flood,
    };
  },
};
