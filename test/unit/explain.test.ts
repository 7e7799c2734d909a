import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_COLUMNS } from '../../functions/core/quality/index.js';
import { DEFAULT_THRESHOLDS, ISSUE_FLAGS } from '../../functions/core/quality/index.js';
import { projectRoot } from '../../scripts/lib/tools.js';

// The gallery's plain-JS module, loaded by URL: it has no type declarations.
type Explain = (name: string, thresholds: object) => string;
const { explainFlag, explainMetric } = (await import(new URL('../../functions/gallery/assets/explain.js', import.meta.url).href)) as { explainFlag: Explain; explainMetric: Explain };

const page = readFileSync(join(projectRoot, 'docs', 'quality.md'), 'utf8');
const section = page.slice(page.indexOf('## What the flags and metrics mean'));

/** Every flag and metric is explained in plain words with its threshold, in the gallery and in docs/quality.md. */
describe('quality explanations', () => {
  it.each(ISSUE_FLAGS)('flag %s', (flag) => {
    const text = explainFlag(flag, DEFAULT_THRESHOLDS);
    expect(text.length).toBeGreaterThan(30);
    expect(text).not.toContain('undefined');
    expect(section).toContain(`\`${flag}\``);
  });

  it.each([...METRIC_COLUMNS, 'phash', 'pixelHash'])('metric %s', (metric) => {
    const text = explainMetric(metric, DEFAULT_THRESHOLDS);
    expect(text.length).toBeGreaterThan(10);
    expect(text).not.toContain('undefined');
    expect(section).toContain(`\`${metric}\``);
  });

  it('states the thresholds in force, overrides included', () => {
    expect(explainFlag('dark', { ...DEFAULT_THRESHOLDS, darkP99: 0.25 })).toContain('0.25');
    for (const [name, value] of Object.entries(DEFAULT_THRESHOLDS)) {
      if (name === 'oddSizeMinIqrFraction') continue;
      expect(section, name).toContain(String(value));
    }
  });
});
