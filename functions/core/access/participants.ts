/**
 * Workshop participants and their quotas. The reservation rule is pure, so the Firestore
 * adapter can apply it inside a transaction and tests can check it directly.
 */
export interface Quotas {
  /** Images a participant may generate in total, unless the instructor changes it. */
  defaultImageQuota: number;
  maxImagesPerRun: number;
  maxRunsInFlight: number;
}

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

/**
 * Gives back the images of prompts that were cancelled before any model call, and frees the
 * run's in-flight slot once it has finished. Never takes usage below zero.
 */
export function decideRunRelease(participant: Participant, runId: string, options: { refundImages: number; finished: boolean }): Pick<Participant, 'imagesUsed' | 'activeRuns'> | null {
  const activeRuns = options.finished ? participant.activeRuns.filter((entry) => entry.runId !== runId) : participant.activeRuns;
  const imagesUsed = Math.max(0, participant.imagesUsed - Math.max(0, options.refundImages));
  if (imagesUsed === participant.imagesUsed && activeRuns.length === participant.activeRuns.length) return null;
  return { imagesUsed, activeRuns };
}
