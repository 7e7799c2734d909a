/**
 * Decides whether a stored object is one of our generated images, and which prompt it
 * belongs to. One predicate, so the assessor and its tests agree on what gets assessed.
 */
import { isPreviewObject } from './previews.js';

export interface StorageObjectLike {
  name?: string;
  contentType?: string;
}

export type ObjectDecision =
  | { assess: true; runId: string; category: string; promptId: string }
  | { assess: false; reason: string };

const IMAGE_PATH = /^runs\/([A-Za-z0-9_-]+)\/([a-z0-9_-]+)\/([A-Za-z0-9_-]+)\.(png|jpe?g|webp)$/;

export function classifyObject(object: StorageObjectLike): ObjectDecision {
  const name = object.name ?? '';
  if (!name.startsWith('runs/')) return { assess: false, reason: `outside runs/: ${name}` };
  if (isPreviewObject(name)) return { assess: false, reason: `a gallery preview: ${name}` };
  const contentType = object.contentType ?? '';
  if (!contentType.startsWith('image/')) return { assess: false, reason: `not an image (contentType "${contentType}"): ${name}` };
  const match = IMAGE_PATH.exec(name);
  if (!match) return { assess: false, reason: `not a generated image path (runs/{runId}/{category}/{promptId}.png): ${name}` };
  return { assess: true, runId: match[1] as string, category: match[2] as string, promptId: match[3] as string };
}
