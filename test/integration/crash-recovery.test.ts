import { describe, expect, it, vi } from 'vitest';
import { planPrompts } from '../../functions/core/scenario/index.js';
import { newPromptRecord, type RunRecord } from '../../functions/core/runs/index.js';
import { builtinScenarios, DEFAULT_SCENARIO } from '../../functions/scenarios/index.js';
import { functionLog, LOG_LANDS, stackClients, waitForRun } from '../support/stack-clients.js';

describe('a generator that dies after claiming a prompt', () => {
  const { api, store, pubsub, stack } = stackClients();

  it('does not lose the prompt: the lease expires and a redelivery finishes it', async () => {
    const scenario = builtinScenarios().get(DEFAULT_SCENARIO)!;
    const runId = `crash-${Date.now()}`;
    const planned = planPrompts(scenario, { count: 2, seed: 5 });
    const run: RunRecord = {
      runId, scenario, count: 2, seed: 5, categories: Object.keys(scenario.categories), provider: 'embedded',
      model: 'embedded-procedural-v1', createdAt: new Date().toISOString(), state: 'accepted', owner: 'local',
      image: { aspectRatio: '1:1', imageSize: '1K' }, costEstimate: { images: 2, usdPerImage: 0, usd: 0, basis: 'test' },
    };
    await store.createRun(run, planned.map((prompt) => newPromptRecord(runId, prompt)));

    // A worker claims p0001 with the deployment's lease, then dies without a word.
    const claim = await store.claimPrompt(runId, 'p0001', { owner: 'worker-that-died', now: Date.now(), leaseMs: stack.leaseSeconds * 1000 });
    expect(claim.kind).toBe('claimed');

    const topic = pubsub.topic(stack.generationTopic);
    await Promise.all(planned.map((prompt) => topic.publishMessage({ json: { runId, promptId: prompt.promptId } })));

    const status = await waitForRun(api, runId, 90_000);
    expect(status.counts).toMatchObject({ assessed: 2, failed: 0 });
    const recovered = await store.getPrompt(runId, 'p0001');
    expect(recovered).toMatchObject({ status: 'assessed', attempts: 2 });

    await vi.waitFor(() => {
      const log = functionLog(stack.logDir, 'generateImage', runId).filter((entry) => entry.promptId === 'p0001');
      expect(log.filter((entry) => entry.message === 'provider_call')).toHaveLength(1);
    }, LOG_LANDS);
  });
});
