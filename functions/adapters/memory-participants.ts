import type { Quotas } from '../core/access/index.js';
import { decideReservation, decideRunRelease, type ActiveRun, type Participant, type Reservation } from '../core/access/index.js';
import type { ParticipantCursor } from '../core/access/index.js';
import type { ParticipantStore } from '../core/ports.js';

/** In-memory ParticipantStore for unit tests, with the same pure reservation rules as Firestore's. */
export class MemoryParticipantStore implements ParticipantStore {
  readonly participants = new Map<string, Participant>();

  constructor(private readonly quotas: Quotas) {}

  async create(participants: Participant[]): Promise<void> {
    for (const participant of participants) this.participants.set(participant.id, structuredClone(participant));
  }

  async get(id: string): Promise<Participant | null> {
    return structuredClone(this.participants.get(id) ?? null);
  }

  async findByTokenHash(tokenHash: string): Promise<Participant | null> {
    return structuredClone([...this.participants.values()].find((participant) => participant.tokenHash === tokenHash) ?? null);
  }

  async list(): Promise<Participant[]> {
    return [...this.participants.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((participant) => structuredClone(participant));
  }

  /** Oldest first, ties by id, as the Firestore adapter orders them. */
  async listPage(options: { pageSize: number; after: ParticipantCursor | null }): Promise<{ participants: Participant[]; next: ParticipantCursor | null }> {
    const key = (p: Participant): ParticipantCursor => [p.createdAt, p.id];
    const after = options.after;
    const sorted = [...this.participants.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const rest = after ? sorted.filter((p) => p.createdAt > after[0] || (p.createdAt === after[0] && p.id > after[1])) : sorted;
    const participants = rest.slice(0, options.pageSize).map((p) => structuredClone(p));
    const last = participants.at(-1);
    return { participants, next: participants.length === options.pageSize && last ? key(last) : null };
  }

  setQuota(id: string, imageQuota: number): Promise<Participant | null> {
    return this.change(id, { imageQuota });
  }

  revoke(id: string): Promise<Participant | null> {
    return this.change(id, { revoked: true });
  }

  async reserveRun(id: string, run: ActiveRun, images: number, isFinished: (run: ActiveRun) => Promise<boolean>): Promise<Reservation> {
    const participant = this.participants.get(id);
    if (!participant || participant.revoked) return { ok: false, message: 'participant not found or revoked' };
    const finished = new Set<string>();
    for (const active of participant.activeRuns) if (await isFinished(active)) finished.add(active.runId);
    const decision = decideReservation(participant, run, images, this.quotas, finished);
    if (decision.ok) Object.assign(participant, decision.update);
    return decision;
  }

  async releaseRun(id: string, runId: string, options: { refundImages: number; finished: boolean }): Promise<void> {
    const participant = this.participants.get(id);
    const update = participant ? decideRunRelease(participant, runId, options) : null;
    if (participant && update) Object.assign(participant, update);
  }

  async remove(ids: string[]): Promise<void> {
    for (const id of ids) this.participants.delete(id);
  }

  private async change(id: string, update: Partial<Participant>): Promise<Participant | null> {
    const participant = this.participants.get(id);
    if (!participant) return null;
    Object.assign(participant, update);
    return structuredClone(participant);
  }
}
