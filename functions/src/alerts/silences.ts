/** Maintenance windows: alerts are still recorded, notifications are muted. */
import type { Meter } from '../platform/firestore';
import { fs } from '../platform/firestore';
import type { RuleDefinition } from '../rules';
import { COLLECTIONS, type SilenceDoc } from './model';

export interface ActiveSilence extends SilenceDoc {
  id: string;
}

/** Silences in force at `now` (ended ones excluded). One query on endsAt; few documents. */
export async function loadActiveSilences(meter: Meter, now: Date): Promise<ActiveSilence[]> {
  const query = meter.db
    .collection(COLLECTIONS.silences)
    .where('endsAt', '>', fs().Timestamp.fromDate(now))
    .limit(100);
  const docs = await meter.docs(query);
  return docs
    .map((doc) => ({ id: doc.id, ...(doc.data() as SilenceDoc) }))
    .filter((silence) => silence.startsAt.toMillis() <= now.getTime() && !silence.endedAt);
}

export function silenceFor(silences: ActiveSilence[], rule: Pick<RuleDefinition, 'id' | 'category' | 'domain'>): ActiveSilence | null {
  return (
    silences.find(
      (silence) =>
        (!silence.ruleId || silence.ruleId === rule.id) &&
        (!silence.category || silence.category === rule.category) &&
        (!silence.domain || silence.domain === rule.domain),
    ) ?? null
  );
}
