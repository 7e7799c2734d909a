import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../lib/tools.js';

/**
 * The deployed shape of each function, read from infra/shape.json: the one declaration that
 * Terraform (infra/functions.tf) and the local stack (the limit relays) both read.
 */
const functionShape = z.strictObject({
  trigger: z.enum(['http', 'pubsub', 'storage', 'scheduler']),
  service_account: z.string().min(1),
  timeout_seconds: z.number().int().min(1).max(3600),
  max_instances: z.number().int().min(1).max(1000),
  requests_per_instance: z.number().int().min(1).max(1000),
  memory: z.string().regex(/^\d+(Mi|Gi)$/),
  cpu: z.string().regex(/^\d+(\.\d+)?$/),
});

export const FUNCTION_NAMES = ['api', 'generateImage', 'assessImage', 'reconcile'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
export type FunctionShape = z.infer<typeof functionShape>;
export type DeployedShape = Record<FunctionName, FunctionShape>;

const deployedShape = z.strictObject({ api: functionShape, generateImage: functionShape, assessImage: functionShape, reconcile: functionShape });

export const SHAPE_FILE = join(projectRoot, 'infra', 'shape.json');

export function parseShape(text: string): DeployedShape {
  return deployedShape.parse(JSON.parse(text));
}

export function loadShape(file = SHAPE_FILE): DeployedShape {
  return parseShape(readFileSync(file, 'utf8'));
}

/** The limits a test scales down (e.g. 2 instances × 1 request); the rest of the shape stays as declared. */
export type ShapeOverrides = Partial<Record<FunctionName, Partial<Pick<FunctionShape, 'timeout_seconds' | 'max_instances' | 'requests_per_instance'>>>>;

export function withOverrides(shape: DeployedShape, overrides: ShapeOverrides = {}): DeployedShape {
  const result = structuredClone(shape);
  for (const name of FUNCTION_NAMES) Object.assign(result[name], overrides[name] ?? {});
  return deployedShape.parse(result);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `api: 10 instances x 1 request, timeout 60 s` */
export function describeShape(name: FunctionName, shape: FunctionShape): string {
  return `${name}: ${plural(shape.max_instances, 'instance')} x ${plural(shape.requests_per_instance, 'request')}, timeout ${shape.timeout_seconds} s`;
}
