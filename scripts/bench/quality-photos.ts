/**
 * `npm run quality:photos`: how the per-image flags do on real photographs (scikit-image's samples
 * in test/fixtures/photos), sharp, Gaussian-blurred at several radii, under haze and fog, and a
 * mostly-sky crop. Prints the recall of `blurry` per radius, and every flag raised where none
 * belongs (a false flag), with the default thresholds.
 */
import { cpus } from 'node:os';
import { decodeImage } from '../../functions/adapters/image-decoder.js';
import { computeMetrics } from '../../functions/core/quality/index.js';
import { imageIssues, type IssueFlag } from '../../functions/core/quality/index.js';
import { BLUR_SIGMAS, photoVariants, type PhotoVariant } from './photo-set.js';

type Assessed = PhotoVariant & { issues: IssueFlag[] };

/** Flags that are wrong on a variant: on a blurred one anything but blurry, low_information and a grey photograph's grayscale; elsewhere anything but that grayscale. */
function falseFlags({ kind, grey, issues }: Assessed): IssueFlag[] {
  const allowed = new Set<IssueFlag>(kind === 'blurred' ? ['blurry', 'low_information'] : []);
  if (grey) allowed.add('grayscale');
  return issues.filter((flag) => !allowed.has(flag));
}

const percent = (part: number, whole: number) => `${part}/${whole} (${Math.round((100 * part) / whole)} %)`;

async function main(): Promise<void> {
  const assessed: Assessed[] = [];
  for (const variant of await photoVariants()) assessed.push({ ...variant, issues: imageIssues(computeMetrics(await decodeImage(variant.png))) });
  const photos = new Set(assessed.map((variant) => variant.photo));
  console.log(`${photos.size} photographs (${[...photos].join(', ')}), ${assessed.length} variants; ${new Date().toISOString()}, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);

  console.log('\nRecall of blurry (σ of the Gaussian in pixels of a 512-pixel long side):');
  for (const sigma of BLUR_SIGMAS) {
    const blurred = assessed.filter((variant) => variant.kind === 'blurred' && variant.sigma === sigma);
    const blurry = blurred.filter((variant) => variant.issues.includes('blurry'));
    const alsoLow = blurred.filter((variant) => variant.issues.includes('low_information'));
    const missed = blurred.filter((variant) => !variant.issues.includes('blurry')).map((variant) => variant.photo);
    console.log(`  σ ${String(sigma).padEnd(2)} blurry ${percent(blurry.length, blurred.length).padEnd(12)} also low_information ${alsoLow.length}${missed.length ? `; missed: ${missed.join(', ')}` : ''}`);
  }
  const grey = assessed.filter((variant) => variant.grey);
  console.log(`\nRecall of grayscale on the grey photographs and all their variants: ${percent(grey.filter((variant) => variant.issues.includes('grayscale')).length, grey.length)}`);

  console.log('\nFalse flags (a flag where none belongs):');
  for (const [kind, title] of [['sharp', 'sharp photographs'], ['soft', 'haze, fog, dense fog, smooth sky'], ['blurred', 'blurred (other than blurry, low_information)']] as const) {
    const group = assessed.filter((variant) => variant.kind === kind);
    const wrong = group.flatMap((variant) => falseFlags(variant).map((flag) => `${variant.label}: ${flag}`));
    console.log(`  ${title.padEnd(46)} ${percent(group.filter((variant) => falseFlags(variant).length > 0).length, group.length)}${wrong.length ? `  ${wrong.join('; ')}` : ''}`);
  }
}

await main();
