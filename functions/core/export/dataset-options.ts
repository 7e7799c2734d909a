/**
 * How an export is packaged for the next ML step: split ratios, which images to leave out of
 * every split, and the licence the dataset card declares. Parsed from the command line here,
 * purely, so every command that exports (start, generate, export) accepts the same options.
 */
import { MIN_USABLE_RELEVANCE } from '../runs/index.js';

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** One way to leave images out of every split; several combine (an image is out if any applies). */
export type ExcludePolicy =
  | { kind: 'issues' }
  | { kind: 'inappropriate' }
  | { kind: 'rated-below'; relevance: number }
  | { kind: 'not-usable' };

export interface DatasetOptions {
  /** train, validation, test; they sum to 1. */
  split: [number, number, number];
  exclude: ExcludePolicy[];
  /** A Hugging Face licence id for the card's header. */
  license: string;
}

export const DEFAULT_DATASET_OPTIONS: DatasetOptions = { split: [0.8, 0.1, 0.1], exclude: [], license: 'cc-by-4.0' };

export const EXCLUDE_POLICY_NAMES = ['issues', 'inappropriate', `rated-below=N`, 'not-usable'] as const;

/** `0.8,0.1,0.1` → ratios; also accepts `80,10,10` (percentages), since both are what people type. */
export function parseSplitRatios(text: string): [number, number, number] | string {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length !== 3 || parts.some((part) => !/^\d+(\.\d+)?$/.test(part))) {
    return `--split takes three non-negative numbers for train,validation,test, e.g. 0.8,0.1,0.1; got "${text}"`;
  }
  const values = parts.map(Number) as [number, number, number];
  const total = values[0] + values[1] + values[2];
  if (values[0] === 0) return '--split: the train share must be above 0';
  const scale = Math.abs(total - 1) < 1e-6 ? 1 : Math.abs(total - 100) < 1e-6 ? 100 : null;
  if (scale === null) return `--split: the three shares must sum to 1 (or 100), got ${Math.round(total * 1e6) / 1e6}`;
  return values.map((value) => value / scale) as [number, number, number];
}

/** `issues,rated-below=3` → policies. Unknown names are errors, never ignored. */
export function parseExcludePolicies(text: string): ExcludePolicy[] | string {
  const policies: ExcludePolicy[] = [];
  for (const raw of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const rated = /^rated-below=(\d+)$/.exec(raw);
    if (rated) {
      const relevance = Number(rated[1]);
      if (relevance < 2 || relevance > 5) return `--exclude rated-below=N takes N from 2 to 5, got ${relevance}`;
      policies.push({ kind: 'rated-below', relevance });
    } else if (raw === 'issues' || raw === 'inappropriate' || raw === 'not-usable') {
      policies.push({ kind: raw });
    } else {
      return `--exclude: unknown policy "${raw}"; use ${EXCLUDE_POLICY_NAMES.join(', ')} (comma-separated to combine)`;
    }
  }
  return policies;
}

/** A Hugging Face licence id (`cc-by-4.0`, `cc0-1.0`, `mit`, `other` …); it goes into YAML, so only id characters. */
export function parseLicense(text: string): string {
  const id = text.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9.+-]{0,63}$/.test(id) ? id : `--license takes a licence id such as cc-by-4.0, cc0-1.0 or other; got "${text}"`;
}

export function describePolicy(policy: ExcludePolicy): string {
  switch (policy.kind) {
    case 'issues':
      return 'images with any issue flag';
    case 'inappropriate':
      return 'images a reviewer (or the judge) marked inappropriate';
    case 'rated-below':
      return `images rated below ${policy.relevance}`;
    case 'not-usable':
      return `images that are not usable (an issue flag, rated below ${MIN_USABLE_RELEVANCE}, or marked inappropriate)`;
  }
}
