/** What a run record and a prompt record keep of a revision (core/revisions makes them). */
import type { ExclusionRule } from '../scenario/index.js';

export type NamedSelection = 'not-usable' | 'rejected' | 'flagged' | 'failed';
export type Selection = NamedSelection | { promptIds: string[] };

export interface Amendment {
  templates?: Record<string, string> | undefined;
  append?: string | undefined;
  exclude?: ExclusionRule[] | undefined;
}

/** Stored on a revision's run record: where it sits in its lineage, what it selected and what it changed. */
export interface RevisionInfo {
  /** The lineage's first run. */
  rootRunId: string;
  /** The run whose prompts were selected. */
  parentRunId: string;
  /** 1 for the first revision of the lineage, 2 for the next … */
  number: number;
  select: Selection;
  /** The slots regenerated, by prompt id (the same id in every version of a slot). */
  slots: string[];
  amend: Amendment | null;
  note: string | null;
}
