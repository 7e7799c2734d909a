import { FieldValue, Filter, type Firestore } from '@google-cloud/firestore';
import type { ReferenceAdmission, ReferenceCursor, ReferenceRecord, ReferenceUsage } from '../core/references/index.js';
import type { ReferenceStore } from '../core/ports.js';

/**
 * `references/{id}` holds each record; `referenceUsage/{owner}` counts an owner's references and
 * bytes, so a limit is checked and booked in one transaction without reading every record.
 */
export class FirestoreReferenceStore implements ReferenceStore {
  constructor(private readonly db: Firestore) {}

  private ref(referenceId: string) {
    return this.db.collection('references').doc(referenceId);
  }

  private usageRef(owner: string) {
    return this.db.collection('referenceUsage').doc(owner);
  }

  create(record: ReferenceRecord, admit: (usage: ReferenceUsage) => ReferenceAdmission): Promise<ReferenceAdmission> {
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(this.usageRef(record.owner));
      const usage = (snapshot.data() as ReferenceUsage | undefined) ?? { count: 0, bytes: 0 };
      const decision = admit(usage);
      if (!decision.ok) return decision;
      transaction.create(this.ref(record.referenceId), record);
      transaction.set(this.usageRef(record.owner), { count: usage.count + 1, bytes: usage.bytes + record.bytes });
      return decision;
    });
  }

  async get(referenceId: string): Promise<ReferenceRecord | null> {
    const snapshot = await this.ref(referenceId).get();
    return snapshot.exists ? (snapshot.data() as ReferenceRecord) : null;
  }

  async listPage(options: { viewer?: string; pageSize: number; after: ReferenceCursor | null }): Promise<{ references: ReferenceRecord[]; next: ReferenceCursor | null }> {
    let query = this.db.collection('references').orderBy('createdAt', 'desc').orderBy('referenceId', 'desc');
    if (options.viewer !== undefined) query = query.where(Filter.or(Filter.where('owner', '==', options.viewer), Filter.where('shared', '==', true)));
    if (options.after) query = query.startAfter(...options.after);
    const snapshot = await query.limit(options.pageSize + 1).get();
    const records = snapshot.docs.map((doc) => doc.data() as ReferenceRecord);
    const page = records.slice(0, options.pageSize);
    const last = page.at(-1);
    return { references: page, next: records.length > options.pageSize && last ? [last.createdAt, last.referenceId] : null };
  }

  async setShared(referenceId: string, shared: boolean): Promise<ReferenceRecord | null> {
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(this.ref(referenceId));
      if (!snapshot.exists) return null;
      transaction.update(this.ref(referenceId), { shared });
      return { ...(snapshot.data() as ReferenceRecord), shared };
    });
  }

  remove(referenceId: string): Promise<ReferenceRecord | null> {
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(this.ref(referenceId));
      if (!snapshot.exists) return null;
      const record = snapshot.data() as ReferenceRecord;
      transaction.delete(this.ref(referenceId));
      transaction.set(this.usageRef(record.owner), { count: FieldValue.increment(-1), bytes: FieldValue.increment(-record.bytes) }, { merge: true });
      return record;
    });
  }
}
