import type { ReferenceAdmission, ReferenceCursor, ReferenceRecord, ReferenceUsage } from '../core/references/index.js';
import type { ReferenceStore } from '../core/ports.js';

/** Newest first, ties broken by id: the order every list of references uses. */
const newestFirst = (a: ReferenceRecord, b: ReferenceRecord) => b.createdAt.localeCompare(a.createdAt) || b.referenceId.localeCompare(a.referenceId);

const after = (record: ReferenceRecord, cursor: ReferenceCursor) => record.createdAt < cursor[0] || (record.createdAt === cursor[0] && record.referenceId < cursor[1]);

/** References kept in memory, for unit tests. */
export class MemoryReferenceStore implements ReferenceStore {
  readonly records = new Map<string, ReferenceRecord>();

  private usageOf(owner: string): ReferenceUsage {
    let count = 0;
    let bytes = 0;
    for (const record of this.records.values()) {
      if (record.owner !== owner) continue;
      count += 1;
      bytes += record.bytes;
    }
    return { count, bytes };
  }

  async create(record: ReferenceRecord, admit: (usage: ReferenceUsage) => ReferenceAdmission): Promise<ReferenceAdmission> {
    const decision = admit(this.usageOf(record.owner));
    if (decision.ok) this.records.set(record.referenceId, structuredClone(record));
    return decision;
  }

  async get(referenceId: string): Promise<ReferenceRecord | null> {
    const record = this.records.get(referenceId);
    return record ? structuredClone(record) : null;
  }

  async listPage(options: { viewer?: string; pageSize: number; after: ReferenceCursor | null }): Promise<{ references: ReferenceRecord[]; next: ReferenceCursor | null }> {
    const visible = [...this.records.values()]
      .filter((record) => options.viewer === undefined || record.owner === options.viewer || record.shared)
      .filter((record) => options.after === null || after(record, options.after))
      .sort(newestFirst);
    const page = visible.slice(0, options.pageSize);
    const last = page.at(-1);
    return { references: page.map((record) => structuredClone(record)), next: visible.length > options.pageSize && last ? [last.createdAt, last.referenceId] : null };
  }

  async setShared(referenceId: string, shared: boolean): Promise<ReferenceRecord | null> {
    const record = this.records.get(referenceId);
    if (!record) return null;
    record.shared = shared;
    return structuredClone(record);
  }

  async remove(referenceId: string): Promise<ReferenceRecord | null> {
    const record = this.records.get(referenceId);
    this.records.delete(referenceId);
    return record ?? null;
  }
}
