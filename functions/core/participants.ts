/**
 * Workshop participants and their quotas. The reservation rule is pure, so the Firestore
 * adapter can apply it inside a transaction and tests can check it directly.
 */
import type { Quotas } from '../config.js';

export interface Participant {
  id: string;
  name: string;
  tokenHash: string;
  revoked: boolean;
  imageQuota: number;
  /** Images planned by this participant's runs so far. */
  imagesUsed: number;
  /** Runs not yet known to be finished; pruned when a new run is requested. */
  activeRuns: ActiveRun[];
  createdAt: string;
}

export interface ActiveRun {
  runId: string;
  reservedAt: number;
}

/** A booked run whose document never appeared this long after booking failed to be created. */
export const ABANDONED_AFTER_MS = 10 * 60_000;

export type PublicParticipant = Omit<Participant, 'tokenHash'>;

export const publicParticipant = ({ tokenHash: _hash, ...visible }: Participant): PublicParticipant => visible;

export type Reservation = { ok: true; update: Pick<Participant, 'imagesUsed' | 'activeRuns'> } | { ok: false; message: string };

/**
 * Whether a participant may start a run of `images` images now. `finishedRuns` are active
 * runs already known to be complete: they no longer count as in flight.
 */
export function decideReservation(participant: Participant, run: ActiveRun, images: number, quotas: Quotas, finishedRuns: ReadonlySet<string>): Reservation {
  const active = participant.activeRuns.filter((entry) => !finishedRuns.has(entry.runId));
  const left = Math.max(0, participant.imageQuota - participant.imagesUsed);
  if (images > quotas.maxImagesPerRun) {
    return { ok: false, message: `a run may have at most ${quotas.maxImagesPerRun} images; you asked for ${images}` };
  }
  if (images > left) {
    return { ok: false, message: `image quota exceeded: ${participant.imagesUsed} of ${participant.imageQuota} images used, ${left} left; you asked for ${images}` };
  }
  if (active.length >= quotas.maxRunsInFlight) {
    return { ok: false, message: `${active.length} of ${quotas.maxRunsInFlight} runs already in flight (${active.map((entry) => entry.runId).join(', ')}); wait for one to finish` };
  }
  return { ok: true, update: { imagesUsed: participant.imagesUsed + images, activeRuns: [...active, run] } };
}

/** A booking given back: never below zero, and the run's slot freed when it will not run. */
export function releaseBookingUpdate(participant: Participant, runId: string, images: number, endRun: boolean): Pick<Participant, 'imagesUsed' | 'activeRuns'> {
  return {
    imagesUsed: Math.max(0, participant.imagesUsed - images),
    activeRuns: endRun ? participant.activeRuns.filter((entry) => entry.runId !== runId) : participant.activeRuns,
  };
}
