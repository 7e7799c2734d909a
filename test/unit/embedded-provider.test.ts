import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createEmbeddedProvider, EmbeddedProvider } from '../../functions/adapters/embedded/embedded-provider.js';
import { composeScene } from '../../functions/adapters/embedded/scene.js';
import type { ImageRequest } from '../../functions/core/objects/index.js';
import { axesOf, fillTemplate, scenarioSchema } from '../../functions/core/scenario/index.js';
import scenarioJson from '../../functions/scenarios/default-scenario.json' with { type: 'json' };

const provider = new EmbeddedProvider();

function request(category: string, variables: Record<string, string>, seed = 7): ImageRequest {
  const prompt = `${Object.values(variables).join('. ')}. Style: documentary photojournalism.`;
  return { prompt, category, variables, seed };
}

const base = {
  setting: 'wide central square ringed by weathered apartment blocks',
  weather: 'under clear skies',
  perspective: 'wide establishing shot at eye level',
};
const noonCrowd = request('protest_scenes', { ...base, crowd: 'a crowd of several hundred people', time_of_day: 'at midday under a high sun' });
const nightCrowd = request('protest_scenes', { ...base, crowd: 'a crowd of several hundred people', time_of_day: 'at night under sodium streetlights' });
const noonPortrait = request('individual_portraits', { ...base, subject: 'a pharmacist in her fifties wearing reading glasses', time_of_day: 'at midday under a high sun' });

async function grey(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function meanBrightness(png: Buffer): Promise<number> {
  const { data } = await grey(png);
  let sum = 0;
  for (const value of data) sum += value;
  return sum / data.length;
}

/** Mean absolute difference between neighbouring pixels: higher means more edges and detail. */
async function busyness(png: Buffer): Promise<number> {
  const { data, width, height } = await grey(png);
  let sum = 0;
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const i = y * width + x;
      sum += Math.abs((data[i] ?? 0) - (data[i + 1] ?? 0)) + Math.abs((data[i] ?? 0) - (data[i + width] ?? 0));
    }
  }
  return sum / ((width - 1) * (height - 1));
}

describe('EmbeddedProvider', () => {
  it('identifies itself', () => {
    const created = createEmbeddedProvider();
    expect(created.name).toBe('embedded');
    expect(created.model).toBe('embedded-procedural-v1');
  });

  it('renders a 1024x1024 PNG and reports its model', async () => {
    const image = await provider.generate(noonCrowd);
    const meta = await sharp(image.png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([1024, 1024]);
    expect(image.model).toBe('embedded-procedural-v1');
  });

  it('is byte-identical for the same request and differs for another seed', async () => {
    const [a, b, c] = await Promise.all([provider.generate(noonCrowd), provider.generate({ ...noonCrowd }), provider.generate({ ...noonCrowd, seed: 8 })]);
    expect(a.png.equals(b.png)).toBe(true);
    expect(a.png.equals(c.png)).toBe(false);
  });

  it('never uses SVG text, so it does not depend on installed fonts', () => {
    expect(composeScene(noonCrowd)).not.toContain('<text');
  });

  it('makes night clearly darker than midday', async () => {
    const [night, noon] = await Promise.all([provider.generate(nightCrowd), provider.generate(noonCrowd)]);
    const [dark, bright] = await Promise.all([meanBrightness(night.png), meanBrightness(noon.png)]);
    expect(bright - dark).toBeGreaterThan(50);
  });

  it('makes a crowd busier than a portrait', async () => {
    const [crowd, portrait] = await Promise.all([provider.generate(noonCrowd), provider.generate(noonPortrait)]);
    const [crowdEdges, portraitEdges] = await Promise.all([busyness(crowd.png), busyness(portrait.png)]);
    expect(crowdEdges).toBeGreaterThan(portraitEdges * 1.5);
  });

  it('renders every category of the default scenario', async () => {
    const scenario = scenarioSchema.parse(scenarioJson);
    for (const [category, definition] of Object.entries(scenario.categories)) {
      const variables = Object.fromEntries(Object.entries(axesOf(scenario, category)).map(([axis, values], i) => [axis, values[i % values.length] ?? '']));
      const prompt = fillTemplate(definition.template, { ...variables, style: scenario.style ?? '', context: '' });
      const image = await provider.generate({ prompt, category, variables, seed: 1 });
      const meta = await sharp(image.png).metadata();
      expect([meta.width, meta.height], category).toEqual([1024, 1024]);
    }
  });
});
