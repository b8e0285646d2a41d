/** What every attempt leaves on its alert: the one write of a delivery's outcome there. */
import type { DocumentReference } from 'firebase-admin/firestore';
import type { NotificationRecord } from '../alerts/model';
import { fs, type Meter } from '../platform/firestore';

/** Appends the attempt to the alert's `notifications`; a sent one also adds its channel to `notifiedChannels`. */
export async function recordOnAlert(alertRef: DocumentReference, entry: NotificationRecord, meter: Meter): Promise<void> {
  const { FieldValue } = fs();
  await alertRef.update({ notifications: FieldValue.arrayUnion(entry) });
  // A separate write: one array transform per write keeps the embedded emulator correct too.
  if (entry.status === 'sent') await alertRef.update({ notifiedChannels: FieldValue.arrayUnion(entry.channel) });
  meter.noteWrites(entry.status === 'sent' ? 2 : 1);
}
