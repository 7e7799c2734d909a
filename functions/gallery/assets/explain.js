// Plain-language explanations of every quality flag and metric, with the threshold in force.
// Thresholds come from the run (GET /v1/runs/{id}/prompts), so a scenario's overrides show here.
// docs/quality.md, "What the flags and metrics mean", says the same; test/unit/explain.test.ts keeps both complete.

const pct = (fraction) => `${Math.round(fraction * 100)} %`;

/** flag → (thresholds) → one or two sentences: what it means, and when it is raised. */
export const FLAG_EXPLANATIONS = {
  dark: (t) => `Too dark: even its brightest parts are dim. Raised when the 99th percentile of brightness is below ${t.darkP99} (0 = black, 1 = white).`,
  light: (t) => `Washed out: even its darkest parts are bright. Raised when the 5th percentile of brightness is above ${t.lightP5}.`,
  blurry: (t) => `Out of focus: edges are soft. Raised when sharpness is below ${t.blurrySharpness} (sharp images score 2–10); not raised on a picture with too little entropy or contrast to judge, which is low information instead.`,
  low_information: (t) => `Nearly empty: a flat or almost uniform picture. Raised when entropy is below ${t.lowInformationEntropy} bits, contrast below ${t.lowInformationContrast}, or more than ${pct(t.lowInformationFlatFraction)} of the picture is flat.`,
  grayscale: (t) => `No colour: raised when fewer than ${pct(t.grayscaleColouredFraction)} of the pixels have visibly different colour channels.`,
  odd_aspect_ratio: (t) => `Very long or very tall: raised when the short side is less than ${t.oddAspectRatio} times the long side.`,
  odd_size: (t) => `Much bigger or smaller than the rest of the run: raised when its size lies more than ${t.oddSizeIqrFactor} interquartile ranges outside the run's middle half.`,
  exact_duplicate: () => 'The same pixels as an earlier image of the run (named in "duplicate of"). The first copy is kept unflagged.',
  near_duplicate: (t) => `Looks almost the same as an earlier image: their perceptual hashes differ in at most ${t.nearDuplicateHamming} of 64 bits. Survives re-encoding, small resizes and brightness changes.`,
  unreadable: () => 'The file could not be decoded as an image, so nothing else could be measured.',
  off_prompt: (t) => `The content judge found the image barely matches its prompt: raised when its relevance (1–5) is ${t.offPromptRelevance} or lower.`,
  missing_elements: (t) => `The content judge found requested elements missing: raised when at least ${t.missingElements} of the prompt's variables is not shown.`,
  artifacts: (t) => `The content judge saw generation artifacts (malformed hands or faces, garbled text, duplicated limbs): raised at ${t.artifacts} or more kinds.`,
  inappropriate_content: () => 'The content judge marked the image inappropriate (violence, weapons, a real person\'s likeness, stereotypes, cultural insensitivity).',
  copies_reference: () => 'A near copy of a reference photograph that guided its prompt (named beside it): the privacy guard compared their perceptual hashes. Never exported.',
  unscreened_reference: () => 'Could not be screened against a reference that guided its prompt (it was deleted), so it is treated like a copy: never exported.',
};

/** metric → what it measures, its scale, and the flag that uses it. */
export const METRIC_EXPLANATIONS = {
  width: () => 'Width in pixels.',
  height: () => 'Height in pixels.',
  resolutionScore: () => 'Pixels compared with Full HD (1920×1080): 1 means at least Full HD. Informational; no flag.',
  colourVariance: () => 'How much the colour values spread, 0–255 (standard deviation of all channel values). Informational.',
  brightness: () => 'Mean of all colour values, 0–255. Informational; the dark and light flags use the percentiles below.',
  brightnessP5: (t) => `Brightness of the darkest 5 % of pixels, 0–1. Above ${t.lightP5} flags "light".`,
  brightnessP99: (t) => `Brightness of the brightest 1 % of pixels, 0–1. Below ${t.darkP99} flags "dark".`,
  contrast: (t) => `RMS contrast, 0–0.5: how much brightness varies across the picture. Below ${t.lowInformationContrast} flags "low information".`,
  colourfulness: () => 'How colourful, Hasler–Süsstrunk scale: 0 grey, about 33 moderate, above 80 very colourful. Informational.',
  entropy: (t) => `How much detail the brightness levels carry, 0–8 bits. Below ${t.lowInformationEntropy} flags "low information".`,
  laplacianVariance: () => 'Edge strength on a 256-pixel thumbnail (variance of the Laplacian). Depends on contrast; sharpness below corrects for that. Informational.',
  sharpness: (t) => `Edge strength relative to contrast: about 2–10 when sharp, below 1 when blurred, 0 when flat. Below ${t.blurrySharpness} flags "blurry".`,
  chroma: () => 'Mean colour saturation per pixel, 0–1 (largest minus smallest channel). 0 for a grey image. Informational.',
  colouredFraction: (t) => `Share of pixels with visibly different colour channels, 0–1. Below ${t.grayscaleColouredFraction} flags "grayscale".`,
  aspectRatio: (t) => `Short side ÷ long side: 1 for a square. Below ${t.oddAspectRatio} flags "odd aspect ratio".`,
  phash: (t) => `Perceptual hash: similar-looking images have similar hashes. Within ${t.nearDuplicateHamming} bits flags "near duplicate".`,
  pixelHash: () => 'A hash of the exact pixels: equal hashes flag "exact duplicate".',
  flatFraction: (t) => `Share of the picture that is flat (8×8 blocks of a thumbnail with almost no variation), 0–1. Above ${t.lowInformationFlatFraction} flags "low information".`,
};

export const USABLE_EXPLANATION = 'Usable: no quality flag, not rated below 3, and not marked inappropriate. Exported as the "usable" column of quality_scores.csv.';

export function explainFlag(flag, thresholds) {
  return FLAG_EXPLANATIONS[flag]?.(thresholds ?? {}) ?? '';
}

export function explainMetric(metric, thresholds) {
  return METRIC_EXPLANATIONS[metric]?.(thresholds ?? {}) ?? '';
}
