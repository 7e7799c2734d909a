/** Reference photographs: the privacy guard that proves no generated image copies one. */
export {
  computeImageHash,
  computeReferenceSignature,
  loadReferenceSignature,
  storeReferenceSignature,
  SIGNATURE_WINDOWS,
  HASH_BITS,
  CROP_STEPS,
  SIGNATURE_VERSION,
  type ImageHash,
  type ReferenceSignature,
  type SignatureWindow,
  type StoredReferenceSignature,
} from './image-signature.js';
export { compareWithReference, findCopiedReference, NEAR_COPY_MAX_DISTANCE, type CopiedReference, type NearCopyVerdict } from './near-copy.js';
export {
  admitReference,
  publicReference,
  referenceCursorSchema,
  referenceName,
  REFERENCE_LIMITS,
  REFERENCE_PAGE_LIMITS,
  type ReferenceAdmission,
  type ReferenceCursor,
  type ReferenceLimits,
  type ReferenceListing,
  type ReferenceRecord,
  type ReferenceUsage,
} from './reference-model.js';
export { isWithheld, referenceIdsOf, screenImage, screeningFlag, type ReferenceScreening } from './screening.js';
export { checkDeclaredSize, sniffReference, type ReferenceFormat, type SniffedImage } from './reference-sniff.js';
