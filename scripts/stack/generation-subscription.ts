import type { CreateSubscriptionOptions } from '@google-cloud/pubsub';

/**
 * The push subscription that feeds the local generator.
 *
 * It has no retry policy, on purpose. The Pub/Sub emulator (0.8.x) implements a retry
 * policy's backoff with a timer that dies for good the first time two messages are nacked
 * in the same instant (a duplicate entry in its delay queue ends in a NullPointerException
 * inside a scheduled task). From then on, any message nacked a second time is never
 * delivered again. A prompt that got a 429 is nacked twice (the 429 itself, then the early
 * redelivery that finds its backoff lease), so it stalled forever.
 *
 * Without a retry policy the emulator redelivers a nacked push after 1 s, and the
 * generator's backoff lease decides when the model is asked again.
 */
export const LOCAL_REDELIVERY_SECONDS = 1;

export function generationSubscriptionOptions(pushEndpoint: string, ackDeadlineSeconds: number): CreateSubscriptionOptions {
  return { pushConfig: { pushEndpoint }, ackDeadlineSeconds };
}
