/**
 * A lineage exported as one dataset: the first run's slots, each with its chosen version
 * (core/revisions/lineage.ts), every version listed in image_prompts.json, the amendments in
 * generation_parameters.json, and a "Revisions" section in the generation log.
 */
import { describeSelection, lineageView, type LineageView } from '../revisions/index.js';
import { usableVerdict, type RunRecord } from '../runs/index.js';
import type { ExportedPrompt, ExportInput } from './export-model.js';

export interface ResolvedLineage {
  /** The input with one prompt per slot: what every dataset file but the version list describes. */
  dataset: ExportInput;
  view: LineageView<ExportedPrompt>;
  revisions: Array<{ run: RunRecord; prompts: ExportedPrompt[] }>;
}

/** A run without revisions resolves to itself: every prompt is version 1 and chosen. */
export function resolveLineage(input: ExportInput): ResolvedLineage {
  const revisions = [...(input.lineage?.revisions ?? [])].sort((a, b) => (a.run.revision?.number ?? 0) - (b.run.revision?.number ?? 0));
  const view = lineageView(input.prompts, revisions.map((revision) => revision.prompts));
  const { lineage: _lineage, ...rest } = input;
  return { dataset: { ...rest, prompts: view.chosen }, view, revisions };
}

/** What generation_parameters.json records of each revision. */
export function revisionParameters(revisions: ResolvedLineage['revisions']) {
  return revisions.map(({ run }) => ({
    runId: run.runId,
    revision: run.revision?.number ?? null,
    parentRunId: run.revision?.parentRunId ?? null,
    createdAt: run.createdAt,
    select: run.revision?.select ?? null,
    slots: run.revision?.slots ?? [],
    amend: run.revision?.amend ?? null,
    note: run.revision?.note ?? null,
    seed: run.seed,
    costEstimate: run.costEstimate,
  }));
}

type Escape = (text: string) => string;

const verdictOf = (prompt: ExportedPrompt | undefined): string => {
  if (!prompt) return 'n/a';
  if (prompt.status === 'failed') return `failed (${prompt.failureReason ?? 'unknown'})`;
  if (prompt.status !== 'assessed' && prompt.status !== 'generated') return `unfinished (${prompt.status})`;
  const rating = prompt.review?.relevance != null ? `rated ${prompt.review.relevance}` : 'unrated';
  const flags = prompt.issues.length ? prompt.issues.join(', ') : 'no flags';
  const inappropriate = prompt.review?.inappropriate ? ', inappropriate' : '';
  return `${flags}, ${rating}${inappropriate}, ${usableVerdict({ issues: prompt.issues, review: prompt.review }).usable ? 'usable' : 'not usable'}`;
};

/** Per revision: what was selected, what was changed, and for each slot how its flags and rating moved. */
export function revisionLogLines(resolved: ResolvedLineage, escape: Escape): string[] {
  if (resolved.revisions.length === 0) return [];
  const byImage = new Map(resolved.view.versions.map((version) => [version.imageId, version]));
  const lines = ['', '## Revisions', `This dataset is a lineage of ${resolved.revisions.length + 1} runs: each slot holds its latest usable version, or the original when no revision improved on it.`];
  for (const { run, prompts } of resolved.revisions) {
    const revision = run.revision;
    if (!revision) continue;
    const amend = revision.amend;
    const changes = [
      ...Object.entries(amend?.templates ?? {}).map(([category, template]) => `template of ${escape(category)} replaced by “${escape(template)}”`),
      ...(amend?.append ? [`appended to every prompt: “${escape(amend.append)}”`] : []),
      ...(amend?.exclude?.length ? [`${amend.exclude.length} exclusion rule(s) added: ${escape(JSON.stringify(amend.exclude))}`] : []),
    ];
    lines.push(
      '',
      `### Revision ${revision.number}: run ${escape(run.runId)}`,
      `- Revises run ${escape(revision.parentRunId)}; selected: ${escape(describeSelection(revision.select))} (${revision.slots.length} slots)`,
      `- Changed: ${changes.length ? changes.join('; ') : 'nothing (the same prompts, new seeds)'}`,
      ...(revision.note ? [`- Note: ${escape(revision.note)}`] : []),
      '',
      '| slot | before | after | in the dataset |',
      '|---|---|---|---|',
      ...prompts.map((prompt) => {
        const before = prompt.replaces ? byImage.get(prompt.replaces)?.prompt : undefined;
        const chosen = byImage.get(`${prompt.runId}/${prompt.promptId}`)?.chosen ? 'this version' : 'another version';
        return `| ${escape(prompt.promptId)} | ${escape(verdictOf(before))} | ${escape(verdictOf(prompt))} | ${chosen} |`;
      }),
    );
  }
  return lines;
}
