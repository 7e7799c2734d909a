import type { Firestore } from '@google-cloud/firestore';
import type { CohortLabelStore } from '../core/ports.js';
import { cohortLabelSchema, type CohortLabel } from '../core/runs/index.js';

/**
 * `cohort/labels`: one document holding the declaration, shared by every api instance. Read back
 * through the schema, so a document edited by hand cannot hand the review route a malformed label.
 */
export class FirestoreCohortLabels implements CohortLabelStore {
  constructor(private readonly db: Firestore) {}

  private get ref() {
    return this.db.collection('cohort').doc('labels');
  }

  async get(): Promise<CohortLabel[]> {
    const snapshot = await this.ref.get();
    const stored: unknown = snapshot.exists ? snapshot.get('labels') : [];
    const parsed = cohortLabelSchema.array().safeParse(stored);
    if (!parsed.success) throw new Error(`cohort/labels does not hold a valid declaration: ${parsed.error.message.slice(0, 200)}`);
    return parsed.data;
  }

  async set(labels: CohortLabel[]): Promise<void> {
    await this.ref.set({ labels, updatedAt: new Date().toISOString() });
  }
}
