import type { CohortLabelStore } from '../core/ports.js';
import type { CohortLabel } from '../core/runs/index.js';

/** The cohort's labels in one process: unit tests. Copies in and out, as a database would. */
export class MemoryCohortLabels implements CohortLabelStore {
  private labels: CohortLabel[] = [];

  async get(): Promise<CohortLabel[]> {
    return structuredClone(this.labels);
  }

  async set(labels: CohortLabel[]): Promise<void> {
    this.labels = structuredClone(labels);
  }
}
