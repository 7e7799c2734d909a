/**
 * How the embedded renderer reads a prompt: keyword tables that map free-form variable
 * values (time of day, weather, setting, crowd size, perspective) to visual parameters.
 */
import type { Rgb } from './scene-parts.js';

export type Kind = 'protest' | 'gathering' | 'portrait' | 'contextual';
export type Table<T> = [T, RegExp][];

/** Sky gradient, ambient level and colour tint for each time of day. */
export const TIMES: Table<{ sky: [Rgb, Rgb]; ambient: number; tint: Rgb; night: boolean; lamps: boolean }> = [
  [{ sky: [[8, 12, 30], [30, 34, 60]], ambient: 0.3, tint: [0.85, 0.9, 1.15], night: true, lamps: true }, /\b(night|midnight|streetlight|after dark)/],
  [{ sky: [[22, 36, 86], [150, 110, 150]], ambient: 0.45, tint: [0.85, 0.9, 1.1], night: true, lamps: true }, /\b(blue hour|twilight)/],
  [{ sky: [[60, 56, 110], [240, 140, 80]], ambient: 0.6, tint: [1.1, 0.88, 0.78], night: true, lamps: true }, /\b(dusk|sunset|evening)/],
  [{ sky: [[110, 125, 180], [245, 180, 140]], ambient: 0.7, tint: [1.05, 0.95, 0.92], night: false, lamps: false }, /\b(dawn|sunrise|first light)/],
  [{ sky: [[120, 160, 210], [250, 200, 130]], ambient: 0.88, tint: [1.12, 1, 0.82], night: false, lamps: false }, /\bgolden/],
  [{ sky: [[130, 175, 225], [215, 230, 240]], ambient: 0.94, tint: [1, 1, 1.02], night: false, lamps: false }, /\bmorning/],
  [{ sky: [[90, 150, 215], [200, 220, 235]], ambient: 0.98, tint: [1.04, 1, 0.95], night: false, lamps: false }, /\bafternoon/],
];
export const NOON = { sky: [[70, 140, 215], [190, 215, 238]] as [Rgb, Rgb], ambient: 1.05, tint: [1, 1, 1] as Rgb, night: false, lamps: false };

export type Weather = 'snow' | 'heavy' | 'rain' | 'fog' | 'haze' | 'overcast' | 'wind' | 'clear';
export const WEATHER: Table<Weather> = [
  ['snow', /\b(snow|blizzard|sleet|wintry)/], ['heavy', /\b(heavy rain|downpour|storm|torrential)/], ['rain', /\b(rain|drizzle|shower)/],
  ['fog', /\b(fog|mist)/], ['haze', /\b(haze|hazy|dust|smog|smoke)/], ['overcast', /\b(overcast|cloudy|grey sky|gray sky)/],
  ['wind', /\b(wind|broken cloud|clouds|breez)/],
];

export type Setting = 'plaza' | 'market' | 'campus' | 'port' | 'overpass' | 'village' | 'civic' | 'residential' | 'station' | 'river' | 'street';
export const SETTINGS: Table<Setting> = [
  ['plaza', /\b(square|plaza|piazza)/], ['market', /\b(market|bazaar|stall|souk)/], ['campus', /\b(campus|universit|college|school|lecture)/],
  ['port', /\b(port\b|dock|quay|harbou?r|container|shipyard)/], ['overpass', /\b(overpass|highway|motorway|carriageway|flyover|freeway)/],
  ['village', /\b(village|hillside|rural|farm|hamlet|countryside)/], ['civic', /\b(ministry|government|parliament|boulevard|palace|city hall|court)/],
  ['residential', /\b(residential|apartment|balcon|housing|tenement)/], ['station', /\b(station|terminal|depot|bus stop)/],
  ['river', /\b(river|promenade|waterfront|canal|bridge|beach|seafront|embankment|lake)/],
];

/** Crowd size buckets as [min, max] figure counts. */
export const CROWDS: Table<[number, number]> = [
  [[150, 300], /\b(hundred|thousand|mass|huge|large crowd|dense crowd)/], [[30, 60], /\b(dozens|several dozen|few dozen|forty|fifty|sixty|crowd)/],
  [[10, 14], /\b(a dozen|dozen|ten|twelve)/], [[5, 8], /\b(group|handful|five|six|famil|couple|few)/], [[1, 1], /\b(single|lone|one person|solitary|individual)/],
];

/** Horizon height (fraction of the frame) and figure height per pixel below the horizon, i.e. camera height. */
export const VIEWS: Table<{ horizon: number; k: number; near: number }> = [
  [{ horizon: 0.1, k: 0.22, near: 1 }, /\b(aerial|drone|bird|overhead|top-down)/], [{ horizon: 0.2, k: 0.38, near: 1 }, /\b(high-angle|high angle|rooftop|elevated|from above)/],
  [{ horizon: 0.7, k: 1.9, near: 1 }, /\b(low-angle|low angle|ground level|from below)/], [{ horizon: 0.5, k: 1, near: 1.5 }, /\b(close-up|close up|closeup|shallow depth)/],
  [{ horizon: 0.42, k: 0.9, near: 1.2 }, /\b(telephoto|compress|long lens)/],
];

export const GROUNDS: Record<Setting, Rgb> = {
  plaza: [176, 166, 150], market: [150, 140, 128], campus: [168, 170, 160], port: [150, 152, 150], overpass: [96, 98, 102], village: [150, 124, 92],
  civic: [180, 174, 162], residential: [118, 118, 120], station: [110, 110, 112], river: [172, 164, 150], street: [112, 112, 116],
};

export function classify<T>(table: Table<T>, texts: string[], fallback: T): T {
  for (const text of texts) for (const [value, pattern] of table) if (pattern.test(text)) return value;
  return fallback;
}

/** The scenario's own value for an aspect when it has one, otherwise the whole prompt. */
export function own([value, prompt]: string[]): string {
  return value?.trim() ? value : (prompt ?? '');
}

export function kindOf(category: string, prompt: string): Kind {
  const text = `${category} ${prompt}`.toLowerCase();
  if (/portrait|headshot/.test(category)) return 'portrait';
  if (/protest|march|demonstrat|rally|strike/.test(category)) return 'protest';
  if (/gather|meeting|vigil|assembl|crowd|event/.test(category)) return 'gathering';
  if (/context|object|detail|empty|landscape|scene|street/.test(category)) return 'contextual';
  return /portrait/.test(text) ? 'portrait' : /protest|placard|march/.test(text) ? 'protest' : 'gathering';
}
