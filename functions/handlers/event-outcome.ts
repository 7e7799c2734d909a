/**
 * Event handlers follow one rule: returning acknowledges the event ("done"), throwing
 * makes Pub/Sub or Eventarc deliver it again ("retry"). RetryLater is the explicit way
 * to ask for a retry; any other thrown error is an unexpected fault and is retried too.
 */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/** What a handler did with an event, for logs and tests. */
export type Done =
  | { done: 'generated' | 'assessed' | 'failed' }
  | { done: 'skipped'; reason: string };
