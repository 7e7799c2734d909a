/**
 * Permissions derived from what the code does: each recorded operation (functions/adapters/
 * operation-log.ts) needs IAM permissions, and the function's service account must hold them, on
 * the resource the operation touches, through the roles infra/ grants it (infra-model.ts).
 * A role that grants more than the recorded operations use is reported: least privilege.
 */
import type { RecordedOperation } from '../../functions/adapters/operation-log.js';
import type { Grant, InfraModel } from './infra-model.js';

const GET = 'datastore.entities.get';
const LIST = 'datastore.entities.list';
const CREATE = 'datastore.entities.create';
const UPDATE = 'datastore.entities.update';
const DELETE = 'datastore.entities.delete';
/** A transaction that reads a document and writes it back (create when it did not exist yet). */
const READ_WRITE = [GET, CREATE, UPDATE];

/** What each port method needs. A method missing here fails the check, so a new one gets classified. */
export const OPERATION_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  // Create-only writes (generation precondition 0); a 412 is followed by a stat.
  'ImageBucket.writeIfAbsent': ['storage.objects.create', 'storage.objects.get'],
  'ImageBucket.writeDerivedIfAbsent': ['storage.objects.create', 'storage.objects.get'],
  'ImageBucket.stat': ['storage.objects.get'],
  'ImageBucket.read': ['storage.objects.get'],
  'ImageBucket.deletePrefix': ['storage.objects.list', 'storage.objects.delete'],
  'PromptPublisher.publish': ['pubsub.topics.publish'],
  'Secret.access': ['secretmanager.versions.access'],

  'RunStore.createRun': [CREATE],
  'RunStore.getRun': [GET],
  'RunStore.listRuns': [LIST],
  'RunStore.deleteRun': [LIST, DELETE],
  'RunStore.setReview': READ_WRITE,
  'RunStore.setReviews': READ_WRITE,
  'RunStore.markPublishFailed': READ_WRITE,
  'RunStore.getPrompt': [GET],
  'RunStore.listPrompts': [LIST],
  'RunStore.claimPrompt': READ_WRITE,
  'RunStore.releaseWithError': READ_WRITE,
  'RunStore.markGenerated': READ_WRITE,
  'RunStore.markFailed': READ_WRITE,
  'RunStore.recordAssessment': READ_WRITE,
  'RunStore.recordAssessmentFailure': READ_WRITE,
  'RunStore.claimJudge': READ_WRITE,
  // The in-flight marks written just before a paid call (prompt, or verdict), in a transaction.
  'RunStore.beginModelCall': READ_WRITE,
  'RunStore.beginJudgeCall': READ_WRITE,
  'RunStore.countVerdictsOwed': [LIST],
  'RunStore.listRevisions': [LIST],
  'RunStore.recordJudge': READ_WRITE,
  'RunStore.releaseJudge': READ_WRITE,
  'RunStore.countByStatus': [LIST],
  'RunStore.listFailures': [LIST],
  'RunStore.qualitySummary': [LIST],
  'RunStore.saveRunSummary': READ_WRITE,
  'RunStore.listRunsPage': [LIST],
  'RunStore.listPromptsPage': [LIST],

  'RunLifecycleStore.listOpenRuns': [LIST],
  'RunLifecycleStore.listVerdictsOwed': [LIST],
  'RunLifecycleStore.markVerdictLost': READ_WRITE,
  'RunLifecycleStore.findStalePrompts': [LIST],
  'RunLifecycleStore.countUnfinished': [LIST],
  'RunLifecycleStore.markQueued': READ_WRITE,
  'RunLifecycleStore.markLost': READ_WRITE,
  'RunLifecycleStore.markRunCompleted': READ_WRITE,
  'RunLifecycleStore.releaseOrphanedLease': READ_WRITE,
  'RunLifecycleStore.cancelPrompts': [LIST, ...READ_WRITE],
  // A counter kept in memory by the adapter: no call to Firestore.
  'RunLifecycleStore.usage': [],

  'ParticipantStore.create': [CREATE],
  'ParticipantStore.get': [GET],
  'ParticipantStore.findByTokenHash': [LIST],
  'ParticipantStore.list': [LIST],
  'ParticipantStore.setQuota': READ_WRITE,
  'ParticipantStore.revoke': READ_WRITE,
  'ParticipantStore.reserveRun': READ_WRITE,
  'ParticipantStore.remove': [DELETE],
  'ParticipantStore.listPage': [LIST],
  'ParticipantStore.releaseRun': READ_WRITE,

  'RateLimiter.tryAcquire': READ_WRITE,
  'WriteLimiter.take': READ_WRITE,
  // A reference and its owner's usage, booked together in one transaction.
  'ReferenceStore.create': READ_WRITE,
  'ReferenceStore.get': [GET],
  'ReferenceStore.listPage': [LIST],
  'ReferenceStore.setShared': READ_WRITE,
  'ReferenceStore.remove': [GET, UPDATE, DELETE],
  // A failed sign-in's count for its address, read and written back in a transaction.
  'SignInFailures.record': READ_WRITE,
  'DownloadTicketStore.issue': [CREATE],
  'DownloadTicketStore.redeem': [GET, DELETE],
  'CohortLabelStore.get': [GET],
  // A set() creates the document the first time and replaces it after.
  'CohortLabelStore.set': [CREATE, UPDATE],
};

const OBJECT_USER = ['storage.objects.create', 'storage.objects.delete', 'storage.objects.get', 'storage.objects.list', 'storage.objects.restore', 'storage.objects.update'];

/**
 * The permissions of the predefined roles that matter to these operations (from Google's role
 * reference, trimmed to the object- and entity-level permissions an operation above can need).
 * A role not listed here grants nothing the recorded services check (e.g. aiplatform.user, run.invoker).
 */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/storage.objectViewer': ['storage.objects.get', 'storage.objects.list'],
  'roles/storage.objectCreator': ['storage.objects.create'],
  'roles/storage.objectUser': OBJECT_USER,
  'roles/storage.objectAdmin': [...OBJECT_USER, 'storage.objects.getIamPolicy', 'storage.objects.setIamPolicy'],
  'roles/datastore.user': [CREATE, DELETE, GET, LIST, UPDATE],
  'roles/datastore.viewer': [GET, LIST],
  'roles/pubsub.publisher': ['pubsub.topics.publish'],
  'roles/pubsub.subscriber': ['pubsub.subscriptions.consume', 'pubsub.topics.attachSubscription'],
  'roles/secretmanager.secretAccessor': ['secretmanager.versions.access'],
  'roles/iam.serviceAccountTokenCreator': ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.signBlob', 'iam.serviceAccounts.signJwt'],
};

export interface IamReport {
  /** Operations the code performs that the function's account may not: a deployment would get a 403. */
  missing: string[];
  /** Operations recorded with no entry in OPERATION_PERMISSIONS, or by a function or resource infra/ does not know. */
  unknown: string[];
  /** Unconditional grants none of whose permissions any recorded operation uses. */
  unused: string[];
  /** Grants that are used but carry permissions nothing recorded needs (a narrower role or a custom one would do). */
  broader: string[];
  /** Grants the recorded operations never used, present only in some configurations (not exercised by the stack). */
  unexercised: string[];
}

const key = (grant: Grant) => `${grant.principal}: ${grant.role} on ${grant.target}`;

export function checkPermissions(operations: readonly RecordedOperation[], infra: InfraModel): IamReport {
  const report: IamReport = { missing: [], unknown: [], unused: [], broader: [], unexercised: [] };
  /** Per grant, the permissions some recorded operation relied on. */
  const used = new Map<Grant, Set<string>>();
  const seen = new Set<string>();
  for (const op of operations) {
    const id = `${op.function} ${op.operation} on ${op.resource}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const needed = OPERATION_PERMISSIONS[op.operation];
    const account = infra.accounts.get(op.function);
    const target = op.resource === 'project' ? 'project' : infra.resources.get(op.function)?.get(op.resource);
    if (!needed || !account || !target) {
      report.unknown.push(`${id}: ${!needed ? 'no entry in OPERATION_PERMISSIONS' : !account ? 'no such function in infra/' : `infra/ does not set ${op.resource} on ${op.function}`}`);
      continue;
    }
    const applicable = infra.grants.filter((grant) => grant.principal === account && (grant.target === target || grant.target === 'project'));
    for (const permission of needed) {
      const holders = applicable.filter((grant) => ROLE_PERMISSIONS[grant.role]?.includes(permission));
      if (holders.length === 0) report.missing.push(`${op.function} (${account}) needs ${permission} on ${target} for ${op.operation}`);
      for (const grant of holders) {
        const set = used.get(grant) ?? new Set<string>();
        set.add(permission);
        used.set(grant, set);
      }
    }
  }
  const runtimeAccounts = new Set(infra.accounts.values());
  for (const grant of infra.grants) {
    const permissions = ROLE_PERMISSIONS[grant.role];
    if (!permissions || !runtimeAccounts.has(grant.principal)) continue;
    const relied = used.get(grant);
    if (!relied) {
      (grant.conditional ? report.unexercised : report.unused).push(key(grant));
      continue;
    }
    const extra = permissions.filter((permission) => !relied.has(permission));
    if (extra.length > 0) report.broader.push(`${key(grant)} also grants ${extra.join(', ')}`);
  }
  return report;
}

export function readOperations(text: string): RecordedOperation[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedOperation);
}
