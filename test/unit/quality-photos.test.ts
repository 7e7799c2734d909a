/**
 * The per-image flags on real photographs (scikit-image's samples, test/fixtures/photos), blurred
 * at several radii and laid under haze and fog by scripts/lib/photo-set.ts. `npm run quality:photos`
 * prints the recall and false flags over the same set.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { computeMetrics, type ImageMetrics } from '../../functions/core/quality/index.js';
import { DEFAULT_THRESHOLDS, imageIssues, type IssueFlag } from '../../functions/core/quality/index.js';
import { photoVariants, STRONG_BLUR_SIGMA, type PhotoVariant } from '../../scripts/bench/photo-set.js';

type Assessed = PhotoVariant & { metrics: ImageMetrics; issues: IssueFlag[] };

describe('quality flags on real photographs', () => {
  let assessed: Assessed[] = [];
  beforeAll(async () => {
    assessed = [];
    for (const variant of await photoVariants()) {
      const metrics = computeMetrics(await decodeImage(variant.png));
      assessed.push({ ...variant, metrics, issues: imageIssues(metrics) });
    }
  }, 120_000);
  const summary = ({ label, issues }: Assessed) => ({ label, issues });
  /** What a clean photograph should get: nothing, or `grayscale` when the photograph is grey. */
  const clean = ({ label, grey }: Assessed) => ({ label, issues: grey ? ['grayscale'] : [] });

  it('has the photographs and their variants', () => {
    expect(new Set(assessed.map((variant) => variant.photo)).size).toBeGreaterThanOrEqual(10);
    expect(assessed.filter((variant) => variant.kind === 'soft').length).toBeGreaterThanOrEqual(15);
  });

  it('flags no sharp photograph', () => {
    for (const photo of assessed.filter((variant) => variant.kind === 'sharp')) expect(summary(photo)).toEqual(clean(photo));
  });

  it(`flags every photograph blurred with σ ≥ ${STRONG_BLUR_SIGMA} (of 512 px) blurry, even where the blur has flattened it`, () => {
    const strong = assessed.filter((variant) => variant.kind === 'blurred' && (variant.sigma ?? 0) >= STRONG_BLUR_SIGMA);
    expect(strong.length).toBeGreaterThanOrEqual(20);
    for (const photo of strong) expect(summary(photo).issues).toContain('blurry');
    // The case the flat fraction used to hide: blur flattened it past low_information's flat threshold, and it is still blurry.
    const flattened = strong.filter((photo) => photo.metrics.flatFraction > DEFAULT_THRESHOLDS.lowInformationFlatFraction);
    expect(flattened.map((photo) => photo.label)).not.toEqual([]);
    for (const photo of flattened) expect(photo.issues).toEqual(expect.arrayContaining(['blurry', 'low_information']));
  });

  it('leaves haze, fog and a smooth sky unflagged', () => {
    const soft = assessed.filter((variant) => variant.kind === 'soft' && !variant.label.endsWith('dense fog'));
    for (const photo of soft) expect(summary(photo)).toEqual(clean(photo));
  });

  it('never calls a photograph in dense fog blurry: its edges are faint, not soft', () => {
    // Dense fog over a mostly-sky scene nears low_information's flat threshold, which a fog scene may rightly cross.
    for (const photo of assessed.filter((variant) => variant.label.endsWith('dense fog'))) expect(summary(photo).issues).not.toContain('blurry');
  });
});
