import type { PubSub } from '@google-cloud/pubsub';
import type { GenerationMessage, PromptPublisher } from '../core/ports.js';

/** Publishes generation messages through the client's batching: up to 100 per request. */
export class PubSubPromptPublisher implements PromptPublisher {
  constructor(
    private readonly pubsub: PubSub,
    private readonly topicName: string,
  ) {}

  async publish(messages: GenerationMessage[]): Promise<{ failed: string[]; error?: string }> {
    const topic = this.pubsub.topic(this.topicName, {
      batching: { maxMessages: 100, maxMilliseconds: 20 },
    });
    const results = await Promise.allSettled(
      messages.map((message) =>
        topic.publishMessage({
          data: Buffer.from(JSON.stringify(message)),
          attributes: { runId: message.runId, promptId: message.promptId },
        }),
      ),
    );
    await topic.flush();
    const failed = messages.filter((_, i) => results[i]?.status === 'rejected').map((message) => message.promptId);
    const firstError = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    return firstError ? { failed, error: String(firstError.reason?.message ?? firstError.reason) } : { failed };
  }
}
