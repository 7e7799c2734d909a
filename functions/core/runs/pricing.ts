/**
 * Price per generated image, for the cost estimate each run carries. This table is the
 * only place prices live; https://ai.google.dev/gemini-api/docs/pricing is authoritative.
 */
export interface ModelPrice {
  usdPerImage: number;
  /** true when the figure is not confirmed from the pricing page: budget with it, then check. */
  estimate: boolean;
  source: string;
  /** Input (text and image) price per 1M tokens, which reference photographs are billed at; absent when unknown. */
  inputUsdPerMillion?: number;
}

export const IMAGE_MODEL_PRICES: Record<string, ModelPrice> = {
  'gemini-2.5-flash-image': { usdPerImage: 0.039, estimate: false, source: '1,290 output tokens at $30/1M', inputUsdPerMillion: 0.3 },
  'gemini-3.1-flash-image': {
    usdPerImage: 0.067,
    estimate: true,
    source: 'estimate, check the pricing page: recalled preview price for a 1K image; larger imageSize costs more',
    inputUsdPerMillion: 0.5,
  },
  'gemini-3-pro-image': {
    usdPerImage: 0.134,
    estimate: true,
    source: 'estimate, check the pricing page: preview price was 1,120 output tokens at $120/1M for 1K/2K (about $0.24 at 4K)',
    inputUsdPerMillion: 2,
  },
  'embedded-procedural-v1': { usdPerImage: 0, estimate: false, source: 'offline renderer: no model cost', inputUsdPerMillion: 0 },
};

export interface CostEstimate {
  images: number;
  usdPerImage: number | null;
  usd: number | null;
  basis: string;
  /** The content judge's share, already included in `usd`; absent when the run is not judged. */
  judge?: { model: string; usdPerImage: number | null; usd: number | null; basis: string };
  /** Reference photographs sent beside the prompts, already included in `usd`; absent when the run has none. */
  references?: { images: number; tokens: number; usd: number | null; basis: string };
}

/** Text-model list prices per 1M tokens, for the content judge. */
export interface TokenPrice {
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  source: string;
}

export const JUDGE_MODEL_PRICES: Record<string, TokenPrice> = {
  'gemini-2.5-flash': { inputUsdPerMillion: 0.3, outputUsdPerMillion: 2.5, source: 'list price late 2026: $0.30 in, $2.50 out per 1M tokens' },
  'gemini-2.5-flash-lite': { inputUsdPerMillion: 0.1, outputUsdPerMillion: 0.4, source: 'list price late 2026: $0.10 in, $0.40 out per 1M tokens' },
};

/**
 * Tokens one judge call uses, from `npm run bench:judge`: a 384 px image is 258 tokens and the
 * built-in scenario's rubric about 770 (the fake API counts 4 characters a token); the answer,
 * about 100 there, is budgeted at 150 with thinking off.
 */
export const JUDGE_TOKENS_PER_IMAGE = { input: 1030, output: 150 };

/**
 * Image input tokens on Gemini 2.x: 258 when both sides are at most 384 px; otherwise the image is
 * cut into square tiles of ⌊min(w, h)/1.5⌋ px, 258 tokens each. A 1024² image is 4 tiles, 1,032 tokens.
 */
export function geminiImageTokens(width: number, height: number): number {
  if (width <= 384 && height <= 384) return 258;
  const tile = Math.max(1, Math.floor(Math.min(width, height) / 1.5));
  return Math.ceil(width / tile) * Math.ceil(height / tile) * 258;
}

/**
 * Input tokens of one image sent to a Gemini model, as https://ai.google.dev/gemini-api/docs/tokens
 * counts them: 258 when both sides are at most 384 px, otherwise 258 for each 768×768 tile. A
 * stored reference (1024 px long side) is 4 tiles, 1,032 tokens, or 2 when its short side is ≤ 768.
 */
export function referenceImageTokens(width: number, height: number): number {
  if (width <= 384 && height <= 384) return 258;
  return Math.ceil(width / 768) * Math.ceil(height / 768) * 258;
}

export function judgeUsdPerImage(model: string, tokens: { input: number; output: number } = JUDGE_TOKENS_PER_IMAGE): number | null {
  const price = JUDGE_MODEL_PRICES[model];
  return price ? (tokens.input * price.inputUsdPerMillion + tokens.output * price.outputUsdPerMillion) / 1e6 : null;
}

/** `referenceTokens`: input tokens of every reference image part the run will send (one per reference per prompt). */
export interface ReferenceInput {
  images: number;
  tokens: number;
}

/** What a plan's references add to the model's input: one image part per stored reference per prompt (an id missing from `tokensById` is not sent). */
export function referenceInputOf(prompts: ReadonlyArray<{ referenceIds?: string[] }>, tokensById: ReadonlyMap<string, number>): ReferenceInput {
  let images = 0;
  let tokens = 0;
  for (const prompt of prompts) {
    for (const id of prompt.referenceIds ?? []) {
      const each = tokensById.get(id);
      if (each === undefined) continue;
      images += 1;
      tokens += each;
    }
  }
  return { images, tokens };
}

/** The image estimate with the judge's cost added, when the run is judged, and the references' input tokens, when it has any. */
export function estimateRunCost(imageModel: string, images: number, judgeModel: string | null, references: ReferenceInput = { images: 0, tokens: 0 }): CostEstimate {
  const withJudge = estimateWithJudge(imageModel, images, judgeModel);
  if (references.images === 0) return withJudge;
  const price = IMAGE_MODEL_PRICES[imageModel]?.inputUsdPerMillion;
  const usd = price === undefined ? null : Math.round(((references.tokens * price) / 1e6) * 1000) / 1000;
  const basis = price === undefined ? `no input price on record for model ${imageModel}` : `${references.tokens} input tokens at $${price}/1M (258 per 768×768 tile, ai.google.dev/gemini-api/docs/tokens)`;
  const total = withJudge.usd === null || usd === null ? null : Math.round((withJudge.usd + usd) * 1000) / 1000;
  return { ...withJudge, usd: total, references: { ...references, usd, basis } };
}

function estimateWithJudge(imageModel: string, images: number, judgeModel: string | null): CostEstimate {
  const base = estimateCost(imageModel, images);
  if (!judgeModel) return base;
  const perImage = judgeUsdPerImage(judgeModel);
  const usd = perImage === null ? null : Math.round(images * perImage * 1000) / 1000;
  const judge = { model: judgeModel, usdPerImage: perImage === null ? null : Math.round(perImage * 1e6) / 1e6, usd, basis: JUDGE_MODEL_PRICES[judgeModel]?.source ?? `no price on record for model ${judgeModel}` };
  return { ...base, usd: base.usd === null || usd === null ? null : Math.round((base.usd + usd) * 1000) / 1000, judge };
}

export function estimateCost(model: string, images: number): CostEstimate {
  const price = IMAGE_MODEL_PRICES[model];
  if (!price) return { images, usdPerImage: null, usd: null, basis: `no price on record for model ${model}` };
  return { images, usdPerImage: price.usdPerImage, usd: Math.round(images * price.usdPerImage * 1000) / 1000, basis: price.source };
}
