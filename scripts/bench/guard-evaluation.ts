/**
 * Runs the privacy guard over its measured set (guard-set.ts): every transformed copy of every
 * photograph against its own photograph as the reference (must be flagged), and every copy
 * against every other photograph plus the look-alike pairs (must not be). Used by the guard's
 * unit test and by `npm run bench:guard`.
 */
import { imageHashOf, referenceSignatureOf } from '../../functions/adapters/reference-signature.js';
import { compareWithReference, type NearCopyVerdict, type ReferenceSignature } from '../../functions/core/references/index.js';
import { loadPhotographs, lookAlikePairs, TRANSFORMATIONS, type Photograph } from './guard-set.js';

export interface CopyCase {
  photograph: string;
  transformation: string;
  verdict: NearCopyVerdict;
}

export interface UnrelatedCase {
  name: string;
  verdict: NearCopyVerdict;
}

export interface GuardEvaluation {
  photographs: Photograph[];
  copies: CopyCase[];
  unrelated: UnrelatedCase[];
}

export async function evaluateGuard(photographs: Photograph[] = loadPhotographs()): Promise<GuardEvaluation> {
  const references = new Map<string, ReferenceSignature>();
  for (const { name, bytes } of photographs) references.set(name, await referenceSignatureOf(bytes));
  const copies: CopyCase[] = [];
  const unrelated: UnrelatedCase[] = [];
  for (const transformation of TRANSFORMATIONS) {
    for (const { name, bytes } of photographs) {
      const copy = await imageHashOf(await transformation.apply(bytes));
      for (const [referenceName, reference] of references) {
        const verdict = compareWithReference(copy, reference);
        if (referenceName === name) copies.push({ photograph: name, transformation: transformation.name, verdict });
        else unrelated.push({ name: `${name} (${transformation.name}) vs ${referenceName}`, verdict });
      }
    }
  }
  for (const pair of await lookAlikePairs(photographs)) {
    const verdict = compareWithReference(await imageHashOf(pair.image), await referenceSignatureOf(pair.reference));
    unrelated.push({ name: `look-alike ${pair.name}`, verdict });
  }
  return { photographs, copies, unrelated };
}
