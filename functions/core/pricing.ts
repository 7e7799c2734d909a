/**
 * Price per generated image, for the cost estimate each run carries. This table is the
 * only place prices live; https://ai.google.dev/gemini-api/docs/pricing is authoritative.
 */
export interface ModelPrice {
  usdPerImage: number;
  /** true when the figure is not confirmed from the pricing page: budget with it, then check. */
  estimate: boolean;
  source: string;
}

export const IMAGE_MODEL_PRICES: Record<string, ModelPrice> = {
  'gemini-2.5-flash-image': { usdPerImage: 0.039, estimate: false, source: '1,290 output tokens at $30/1M' },
  'gemini-3.1-flash-image': {
    usdPerImage: 0.067,
    estimate: true,
    source: 'estimate, check the pricing page: recalled preview price for a 1K image; larger imageSize costs more',
  },
  'gemini-3-pro-image': {
    usdPerImage: 0.134,
    estimate: true,
    source: 'estimate, check the pricing page: preview price was 1,120 output tokens at $120/1M for 1K/2K (about $0.24 at 4K)',
  },
  'embedded-procedural-v1': { usdPerImage: 0, estimate: false, source: 'offline renderer: no model cost' },
};

export interface CostEstimate {
  images: number;
  usdPerImage: number | null;
  usd: number | null;
  basis: string;
}

export function estimateCost(model: string, images: number): CostEstimate {
  const price = IMAGE_MODEL_PRICES[model];
  if (!price) return { images, usdPerImage: null, usd: null, basis: `no price on record for model ${model}` };
  return { images, usdPerImage: price.usdPerImage, usd: Math.round(images * price.usdPerImage * 1000) / 1000, basis: price.source };
}
