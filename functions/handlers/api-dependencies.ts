/**
 * What the api's handler is built from. In a file of its own, so the route files depend on
 * this type and not on the handler that assembles them.
 */
import { randomBytes } from 'node:crypto';
import type { Quotas } from '../core/access/index.js';
import type { CohortLabelStore, DownloadTicketStore, ImageBucket, Logger, ParticipantStore, PromptPublisher, RunLifecycleStore, RunStore, WriteLimiter } from '../core/ports.js';
import type { Scenario } from '../core/scenario/index.js';
import type { Authorize } from './auth.js';
import type { ReferenceDependencies } from './reference-routes.js';

export interface ApiDependencies {
  store: RunStore;
  /** Cancellation's reads and writes (shared with the reconciler). */
  lifecycle: RunLifecycleStore;
  participants: ParticipantStore;
  publisher: PromptPublisher;
  bucket: ImageBucket;
  /** The gallery previews, in a bucket of their own so storing one never triggers an assessment. */
  previews: ImageBucket;
  log: Logger;
  authorize: Authorize;
  quotas: Quotas;
  builtins: () => ReadonlyMap<string, Scenario>;
  defaultScenario: string;
  provider: { name: string; model: string };
  /** The deployment's content judge; null (or absent) when it has none, and a run asking for one is refused. */
  judge?: { model: string } | null;
  /** Makes the preview of an image stored before previews existed: the api's only decode, once per such image. */
  thumbnail: (png: Buffer) => Promise<Buffer>;
  /** Per-caller write ceilings; none when omitted (unit tests). */
  writeLimiter?: WriteLimiter;
  /** Signs page cursors (core/access/pages.ts); the same on every instance, so any instance takes another's cursor. */
  cursorKey: Uint8Array;
  /** Single-use download tickets, shared by every api instance. */
  tickets: DownloadTicketStore;
  /** The cohort's own review labels, declared by the instructor. */
  cohortLabels: CohortLabelStore;
  /** The software that writes a dataset, recorded in generation_parameters.json. */
  versions?: () => Record<string, string>;
  /** Reference photographs; their routes exist only when given. */
  references?: ReferenceDependencies;
  newRunId?: () => string;
  newParticipantId?: () => string;
  now?: () => number;
}

export function defaultRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}
