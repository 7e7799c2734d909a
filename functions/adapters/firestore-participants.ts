import { FieldPath, type Firestore } from '@google-cloud/firestore';
import type { Quotas } from '../core/access/index.js';
import { decideReservation, decideRunRelease, type ActiveRun, type Participant, type Reservation } from '../core/access/index.js';
import type { ParticipantCursor } from '../core/access/index.js';
import type { ParticipantStore } from '../core/ports.js';

/** `participants/{id}`: one document per participant, holding its token hash and usage. */
export class FirestoreParticipantStore implements ParticipantStore {
  constructor(
    private readonly db: Firestore,
    private readonly quotas: Quotas,
  ) {}

  async create(participants: Participant[]): Promise<void> {
    const batch = this.db.batch();
    for (const participant of participants) batch.create(this.ref(participant.id), participant);
    await batch.commit();
  }

  async get(id: string): Promise<Participant | null> {
    const snapshot = await this.ref(id).get();
    return snapshot.exists ? (snapshot.data() as Participant) : null;
  }

  async findByTokenHash(tokenHash: string): Promise<Participant | null> {
    const snapshot = await this.db.collection('participants').where('tokenHash', '==', tokenHash).limit(1).get();
    return snapshot.empty ? null : (snapshot.docs[0]?.data() as Participant);
  }

  async list(): Promise<Participant[]> {
    const snapshot = await this.db.collection('participants').orderBy('createdAt').get();
    return snapshot.docs.map((doc) => doc.data() as Participant);
  }

  setQuota(id: string, imageQuota: number): Promise<Participant | null> {
    return this.change(id, { imageQuota });
  }

  revoke(id: string): Promise<Participant | null> {
    return this.change(id, { revoked: true });
  }

  async reserveRun(id: string, run: ActiveRun, images: number, isFinished: (run: ActiveRun) => Promise<boolean>): Promise<Reservation> {
    const before = await this.get(id);
    if (!before || before.revoked) return { ok: false, message: 'participant not found or revoked' };
    // A finished run stays finished, so checking outside the transaction is safe.
    const finished = new Set<string>();
    for (const active of before.activeRuns) if (await isFinished(active)) finished.add(active.runId);
    return this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(this.ref(id));
      const participant = snapshot.data() as Participant | undefined;
      if (!participant || participant.revoked) return { ok: false, message: 'participant not found or revoked' } as Reservation;
      const decision = decideReservation(participant, run, images, this.quotas, finished);
      if (decision.ok) transaction.update(this.ref(id), decision.update);
      return decision;
    });
  }

  async remove(ids: string[]): Promise<void> {
    const batch = this.db.batch();
    for (const id of ids) batch.delete(this.ref(id));
    await batch.commit();
  }

  async listPage(options: { pageSize: number; after: ParticipantCursor | null }): Promise<{ participants: Participant[]; next: ParticipantCursor | null }> {
    let query = this.db.collection('participants').orderBy('createdAt').orderBy(FieldPath.documentId());
    if (options.after) query = query.startAfter(...options.after);
    const snapshot = await query.limit(options.pageSize).get();
    const participants = snapshot.docs.map((doc) => doc.data() as Participant);
    const last = participants.at(-1);
    return { participants, next: participants.length === options.pageSize && last ? [last.createdAt, last.id] : null };
  }

  async releaseRun(id: string, runId: string, options: { refundImages: number; finished: boolean }): Promise<void> {
    await this.db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(this.ref(id));
      const participant = snapshot.data() as Participant | undefined;
      const update = participant ? decideRunRelease(participant, runId, options) : null;
      if (update) transaction.update(this.ref(id), update);
    });
  }

  private ref(id: string) {
    return this.db.collection('participants').doc(id);
  }

  private async change(id: string, update: Partial<Participant>): Promise<Participant | null> {
    try {
      await this.ref(id).update(update);
    } catch (error) {
      if ((error as { code?: number }).code === 5) return null; // NOT_FOUND
      throw error;
    }
    return this.get(id);
  }
}
