/**
 * The generation log's run-report parts that people scan: balance as one compact table row per
 * axis (the full counts stay in generation_parameters.json), and the flagged images under each
 * flag with their files.
 */
import { ISSUE_FLAGS } from '../quality/index.js';
import type { Balance, RunReport } from '../quality/index.js';
import { imagePath, succeeded, type ExportedPrompt } from './export-model.js';

type Escape = (text: string) => string;

/** `| categories | 4 | 0.998 | 14 (protest_scenes) | 16 (gatherings) |`: spread, and the least and most used value. */
export function balanceTable(report: RunReport, escape: Escape): string[] {
  const row = (label: string, balance: Balance) => {
    const entries = Object.entries(balance.counts).sort(([a, m], [b, n]) => m - n || a.localeCompare(b));
    const [fewest, most] = [entries[0], entries.at(-1)];
    const cell = (entry: [string, number] | undefined) => (entry ? `${entry[1]} (${escape(entry[0])})` : '–');
    return `| ${escape(label)} | ${entries.length} | ${balance.normalisedEntropy.toFixed(3)} | ${cell(fewest)} | ${cell(most)} |`;
  };
  return [
    '',
    '### Balance',
    'Normalised entropy is 1 when every value is used equally often. Counts per value are in `metadata/generation_parameters.json`.',
    '',
    '| axis | values | normalised entropy | fewest images | most images |',
    '|---|---:|---:|---|---|',
    row('categories', report.balance.categories),
    ...Object.entries(report.balance.axes).map(([axis, balance]) => row(axis, balance)),
  ];
}

/** One list per flag that any image carries: its files, and for a duplicate the file it repeats. */
export function flaggedImages(prompts: ExportedPrompt[], escape: Escape): string[] {
  const byId = new Map(prompts.map((p) => [p.promptId, p]));
  const lines: string[] = [];
  for (const flag of ISSUE_FLAGS) {
    const flagged = prompts.filter((p) => succeeded(p) && p.issues.includes(flag));
    if (flagged.length === 0) continue;
    lines.push('', `### ${escape(flag)} (${flagged.length})`);
    for (const p of flagged) {
      const original = p.duplicateOf && flag.endsWith('duplicate') ? byId.get(p.duplicateOf) : undefined;
      lines.push(`- ${escape(imagePath(p))}${original ? ` (repeats ${escape(imagePath(original))})` : ''}`);
    }
  }
  return ['', '## Flagged images', ...(lines.length === 0 ? ['', 'None.'] : lines)];
}
