import type { RunStore } from '../../functions/core/ports.js';

/** What each read method costs in Firestore reads, given its result (as FirestoreRunStore makes them). */
const READS: Partial<Record<keyof RunStore, (result: unknown) => number>> = {
  getRun: () => 1,
  getPrompt: () => 1,
  listRuns: (runs) => Math.max(1, (runs as unknown[]).length),
  listRevisions: (runs) => Math.max(1, (runs as unknown[]).length),
  listPrompts: (prompts) => Math.max(1, (prompts as unknown[]).length),
  listFailures: (failures) => Math.max(1, (failures as unknown[]).length),
  listPromptsPage: (page) => Math.max(1, (page as { prompts: unknown[] }).prompts.length),
  listRunsPage: (page) => Math.max(1, (page as { runs: unknown[] }).runs.length),
  countByStatus: () => 5, // one count query per status
  qualitySummary: () => 1, // one aggregation query
};

export interface ReadMeter {
  reads: number;
  calls: string[];
  reset(): void;
}

/**
 * A store that counts what each call would cost in Firestore reads: a document read is one,
 * a query one per document returned (one when empty), an aggregation query one. Calls the
 * wrapped store makes to itself are not counted, as they are not requests.
 */
export function countingStore<S extends RunStore>(inner: S): { store: S; meter: ReadMeter } {
  const meter: ReadMeter = {
    reads: 0,
    calls: [],
    reset() {
      meter.reads = 0;
      meter.calls = [];
    },
  };
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      const cost = READS[property as keyof RunStore];
      if (typeof value !== 'function' || !cost) return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        meter.calls.push(String(property));
        meter.reads += cost(result);
        return result;
      };
    },
  });
  return { store, meter };
}
