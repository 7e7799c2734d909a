import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cloudEvent, type CloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { PubSub, type Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generationSubscriptionOptions } from '../../scripts/stack/generation-subscription.js';
import { startShapeRelays, type LimitRelay } from '../../scripts/stack/limit-relay.js';
import { FUNCTION_NAMES, loadShape, withOverrides, type FunctionName } from '../../scripts/stack/shape.js';
import { waitUntil } from '../../scripts/stack/net.js';

/**
 * An event handler that runs past its declared timeout is cut off by the limit relay, and the real
 * Pub/Sub emulator counts that as a failed delivery and pushes the same message again. The shape is
 * infra/shape.json with generateImage's timeout shortened to 2 s; the handler, registered with the
 * real functions-framework, holds its first delivery of each message until the test ends, so only
 * the cut-off can end it. The ack deadline is far longer than the wait, so a redelivery within the
 * wait cannot come from the deadline expiring.
 */
const TIMEOUT_SECONDS = 2;
const ACK_DEADLINE_SECONDS = 300;

describe('an event handler past its timeout', () => {
  let server: Server;
  let relays: Record<FunctionName, LimitRelay>;
  let topic: Topic;
  const deliveries: Array<{ id: string; at: number }> = [];
  const held: Array<() => void> = [];

  beforeAll(async () => {
    const stack = inject('stack');
    Object.assign(process.env, stack.clientEnv);
    cloudEvent('eventTimeoutTest', async (event: CloudEvent<unknown>) => {
      const earlier = deliveries.some((delivery) => delivery.id === event.id);
      deliveries.push({ id: event.id, at: Date.now() });
      if (!earlier) await new Promise<void>((release) => held.push(release));
    });
    server = getTestServer('eventTimeoutTest');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const shape = withOverrides(loadShape(), { generateImage: { timeout_seconds: TIMEOUT_SECONDS } });
    relays = await startShapeRelays(shape, Object.fromEntries(FUNCTION_NAMES.map((name) => [name, port])) as Record<FunctionName, number>, { queueMs: 5000 });
    const name = `event-timeout-${Date.now()}`;
    [topic] = await new PubSub({ projectId: stack.projectId }).createTopic(name);
    const endpoint = `${relays.generateImage.url}/projects/${stack.projectId}/topics/${name}`;
    await topic.createSubscription(`${name}-push`, generationSubscriptionOptions(endpoint, ACK_DEADLINE_SECONDS));
  });

  afterAll(async () => {
    held.splice(0).forEach((release) => release());
    await topic?.delete().catch(() => {});
    await Promise.all(Object.values(relays ?? {}).map((relay) => relay.stop()));
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('is cut off at the declared timeout, and the message is delivered again', async () => {
    const messageId = await topic.publishMessage({ json: { promptId: 'p0001' } });
    await waitUntil('a second delivery of the message', async () => deliveries.length >= 2, { timeoutMs: 120_000 });
    const [first, second] = deliveries as [{ id: string; at: number }, { id: string; at: number }];
    expect([first.id, second.id]).toEqual([messageId, messageId]);
    expect(relays.generateImage.counts()).toMatchObject({ admitted: 2, timedOut: 1 });
    // Not before the declared timeout: the relay let the handler run its whole allowance first.
    expect(second.at - first.at).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000);
  });
});
