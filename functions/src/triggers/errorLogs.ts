/**
 * Firestore trigger on new error_logs entries. Loaded only by the instance that serves it (see the
 * lazy export in index.ts): firebase-functions/v2/firestore loads the Firestore SDK at import time.
 */
import { onDocumentCreated } from 'firebase-functions/v2/firestore';
import { NOTIFICATION_SECRETS } from '../config/params';
import { triggerDocument } from '../sources';
import { SOURCE_MODEL } from '../sources/model';

/** The app's error log collection, from the source mapping (index.ts exports the trigger only when it is mapped). */
export const ERROR_LOGS_DOCUMENT = triggerDocument('errorLogs', 'logId') ?? `${SOURCE_MODEL.errorLogs.collection}/{logId}`;

export const onErrorLogCreated = onDocumentCreated(
  {
    document: ERROR_LOGS_DOCUMENT,
    memory: '256MiB',
    timeoutSeconds: 60,
    // A failed evaluation is recorded and reported; the next critical entry, or the watchdog's
    // refresh of open alerts, evaluates again. Redelivering for days would only add noise.
    retry: false,
    secrets: [...NOTIFICATION_SECRETS],
  },
  async (event) => {
    const { handleErrorLogCreated } = await import('./errorTrigger');
    await handleErrorLogCreated(event);
  },
);
