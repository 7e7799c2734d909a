/**
 * Steps after a paid model call. Their failures are retried here, in the same process, while
 * the lease still covers the work: throwing would make Pub/Sub redeliver, and the redelivery
 * finds the call's in-flight mark and can only end the prompt `unknown_outcome` (or, for an
 * image already stored, record it). Each delay list is bounded, so the total fits the lease
 * (see paidCallReserveMs).
 */
import { STORAGE_RETRY_DELAYS_MS } from './store-image.js';

/** Pauses between tries of a Firestore write that records a paid outcome: 1.75 s in all. */
export const RECORD_RETRY_DELAYS_MS = [250, 500, 1000];

/**
 * The longest one Cloud Storage write may take, the client's own retries included: the Storage
 * client is built with this as its total timeout (dependencies.ts), so the image write's retries
 * multiply a bounded figure.
 */
export const STORAGE_WRITE_TOTAL_TIMEOUT_MS = 4000;
/** The Storage client's own retries of one request, within STORAGE_WRITE_TOTAL_TIMEOUT_MS. */
export const STORAGE_CLIENT_MAX_RETRIES = 2;
/** The longest one Firestore transaction that records an outcome may take. */
export const RECORD_WRITE_BUDGET_MS = 1500;

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/**
 * What the lease must still hold once the model has answered: every try of the image write at its
 * total timeout plus the pauses between them, then every try of the recording write and its pauses.
 * The generator stops waiting for a rate slot early enough to keep this, and the call's timeout, in hand.
 */
export const SAFETY_MARGIN_MS = 5000;

export function paidCallReserveMs(): number {
  const storing = (STORAGE_RETRY_DELAYS_MS.length + 1) * STORAGE_WRITE_TOTAL_TIMEOUT_MS + sum(STORAGE_RETRY_DELAYS_MS);
  const recording = (RECORD_RETRY_DELAYS_MS.length + 1) * RECORD_WRITE_BUDGET_MS + sum(RECORD_RETRY_DELAYS_MS);
  return storing + recording;
}

/** The judge keeps no image, so only the recording of its verdict follows the call. */
export function judgeCallReserveMs(): number {
  return (RECORD_RETRY_DELAYS_MS.length + 1) * RECORD_WRITE_BUDGET_MS + sum(RECORD_RETRY_DELAYS_MS);
}

/**
 * Runs a write that records a model call's outcome (and so clears its in-flight mark), retrying any
 * failure after the listed pauses; throws the last error.
 */
export async function recordCallOutcome<T>(write: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const pause = RECORD_RETRY_DELAYS_MS[attempt];
      if (pause === undefined) throw error;
      await sleep(pause);
    }
  }
}
