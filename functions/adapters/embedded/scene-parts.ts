/**
 * Drawing primitives for the embedded procedural renderer: palettes, buildings,
 * props and weather layers, each appending SVG elements to an output array.
 * Pure string building (no sharp) so the scene stays deterministic and testable.
 */
import { pick } from '../../core/scenario/index.js';

export type Rng = () => number;
export type Rgb = readonly [number, number, number];

/** How the scene is lit: every colour passes through `shade` so time of day and weather darken everything consistently. */
export interface Light {
  ambient: number;
  tint: Rgb;
  night: boolean;
}

export const CLOTHING: Rgb[] = [
  [200, 60, 50], [40, 90, 160], [240, 190, 60], [60, 130, 90], [120, 70, 140], [230, 120, 40], [30, 30, 36],
  [230, 230, 225], [90, 110, 130], [150, 40, 70], [70, 160, 170], [160, 130, 90], [110, 120, 60], [200, 90, 130],
  [60, 60, 70], [180, 170, 150],
];
export const PLACARD: Rgb[] = [[245, 240, 225], [250, 210, 70], [230, 80, 60], [70, 140, 210], [90, 180, 110], [255, 255, 255], [240, 150, 60]];
export const FACADE: Rgb[] = [[196, 180, 160], [170, 160, 150], [210, 200, 185], [150, 140, 130], [185, 150, 120], [160, 170, 175], [220, 210, 190], [140, 120, 105]];

export const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function shade(c: Rgb, light: Light): string {
  const channel = (v: number, i: number): string =>
    Math.max(0, Math.min(255, Math.round(v * light.ambient * (light.tint[i] ?? 1))))
      .toString(16)
      .padStart(2, '0');
  return `#${channel(c[0], 0)}${channel(c[1], 1)}${channel(c[2], 2)}`;
}

export const rect = (x: number, y: number, w: number, h: number, fill: string, extra = ''): string =>
  `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(w)}" height="${fmt(h)}" fill="${fill}"${extra}/>`;
export const circle = (x: number, y: number, r: number, fill: string, extra = ''): string =>
  `<circle cx="${fmt(x)}" cy="${fmt(y)}" r="${fmt(r)}" fill="${fill}"${extra}/>`;
export const ellipse = (x: number, y: number, rx: number, ry: number, fill: string): string =>
  `<ellipse cx="${fmt(x)}" cy="${fmt(y)}" rx="${fmt(rx)}" ry="${fmt(ry)}" fill="${fill}"/>`;
export const line = (x1: number, y1: number, x2: number, y2: number, stroke: string, width: number): string =>
  `<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="${stroke}" stroke-width="${fmt(width)}"/>`;

/** A building facade with a grid of windows; at night a share of windows glows warm. */
export function building(out: string[], rnd: Rng, x: number, w: number, top: number, base: number, light: Light, snow: boolean, balconies = false): void {
  const facade = pick(rnd, FACADE);
  out.push(rect(x, top, w, base - top, shade(facade, light)));
  const floor = Math.max(6, w / 7);
  const dark = shade(mix(facade, [40, 50, 70], 0.6), light);
  const cols = Math.max(1, Math.floor(w / (floor * 1.4)));
  const rows = Math.max(1, Math.floor((base - top) / floor) - 1);
  let unlit = '';
  let lit = '';
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const wx = x + (col + 0.3) * (w / cols);
      const wy = top + (row + 0.55) * floor;
      const cell = `M${fmt(wx)} ${fmt(wy)}h${fmt(w / cols * 0.45)}v${fmt(floor * 0.5)}h${fmt(-w / cols * 0.45)}z`;
      if (light.night && rnd() < 0.35) lit += cell;
      else unlit += cell;
    }
    if (balconies && row % 2 === 1) out.push(rect(x + w * 0.04, top + (row + 1.05) * floor, w * 0.92, floor * 0.14, shade(mix(facade, [255, 255, 255], 0.3), light)));
  }
  out.push(`<path d="${unlit}" fill="${dark}"/>`);
  if (lit) out.push(`<path d="${lit}" fill="#f2c46a"/>`);
  if (snow) out.push(rect(x - 2, top - 4, w + 4, 7, shade([240, 243, 247], light)));
}

export function tree(out: string[], rnd: Rng, x: number, base: number, h: number, light: Light, snow: boolean): void {
  out.push(rect(x - h * 0.04, base - h * 0.5, h * 0.08, h * 0.5, shade([90, 70, 50], light)));
  const leaf = snow ? [225, 230, 235] as Rgb : mix([60, 110, 60], [120, 140, 60], rnd());
  for (let i = 0; i < 3; i++) out.push(circle(x + (rnd() - 0.5) * h * 0.3, base - h * (0.6 + rnd() * 0.3), h * (0.2 + rnd() * 0.1), shade(leaf, light)));
}

/** A car, van or minibus seen side-on: body, window band and wheels. */
export function vehicle(out: string[], rnd: Rng, x: number, base: number, w: number, light: Light): void {
  const h = w * (0.35 + rnd() * 0.2);
  const body = shade(pick(rnd, CLOTHING), light);
  const glass = shade([60, 80, 100], light);
  out.push(rect(x, base - h, w, h * 0.85, body, ` rx="${fmt(h * 0.15)}"`));
  out.push(rect(x + w * 0.08, base - h * 0.9, w * 0.84, h * 0.3, glass));
  const tyre = shade([25, 25, 28], light);
  out.push(circle(x + w * 0.2, base - h * 0.12, h * 0.16, tyre), circle(x + w * 0.8, base - h * 0.12, h * 0.16, tyre));
}

/** A market stall: striped awning on poles over a table. */
export function stall(out: string[], rnd: Rng, x: number, base: number, w: number, light: Light): void {
  const a = shade(pick(rnd, PLACARD), light);
  const b = shade([240, 238, 230], light);
  const pole = shade([90, 80, 70], light);
  out.push(rect(x, base - w * 0.9, w * 0.03, w * 0.9, pole), rect(x + w * 0.97, base - w * 0.9, w * 0.03, w * 0.9, pole));
  for (let i = 0; i < 6; i++) out.push(rect(x + (i * w) / 6, base - w * 0.95, w / 6, w * 0.22, i % 2 ? a : b));
  out.push(rect(x, base - w * 0.42, w, w * 0.1, shade([140, 110, 80], light)));
  for (let i = 0; i < 5; i++) out.push(circle(x + w * (0.12 + i * 0.18), base - w * 0.46, w * 0.05, shade(pick(rnd, PLACARD), light)));
}

/** A metal crowd-control barrier: frame and vertical bars in a single path. */
export function barrier(out: string[], x: number, base: number, w: number, light: Light): void {
  const h = w * 0.45;
  let bars = `M${fmt(x)} ${fmt(base)}v${fmt(-h)}h${fmt(w)}v${fmt(h)}M${fmt(x)} ${fmt(base - h * 0.15)}h${fmt(w)}`;
  for (let i = 1; i < 10; i++) bars += `M${fmt(x + (i * w) / 10)} ${fmt(base - h)}v${fmt(h * 0.85)}`;
  out.push(`<path d="${bars}" fill="none" stroke="${shade([150, 155, 160], light)}" stroke-width="${fmt(Math.max(1, w * 0.02))}"/>`);
}

/** A street lamp; at night or dusk its light pools on the ground (radial gradient `#glow` in defs). */
export function lamp(out: string[], x: number, base: number, h: number, light: Light, glowing: boolean): void {
  out.push(rect(x - h * 0.015, base - h, h * 0.03, h, shade([70, 70, 75], light)), rect(x - h * 0.06, base - h * 1.02, h * 0.14, h * 0.04, shade([70, 70, 75], light)));
  if (glowing) out.push(circle(x + h * 0.02, base - h, h * 0.5, 'url(#glow)'), circle(x + h * 0.02, base - h * 0.98, h * 0.03, '#ffd27a'));
}

/** Rain as one path of short slanted strokes; snow as round-capped zero-length strokes. */
export function precipitation(out: string[], rnd: Rng, size: number, count: number, snow: boolean): void {
  let d = '';
  for (let i = 0; i < count; i++) {
    const x = rnd() * size * 1.1 - size * 0.05;
    const y = rnd() * size;
    d += snow ? `M${fmt(x)} ${fmt(y)}h0` : `M${fmt(x)} ${fmt(y)}l${fmt(-6 - rnd() * 6)} ${fmt(28 + rnd() * 24)}`;
  }
  const style = snow ? 'stroke="#ffffff" stroke-width="6" stroke-linecap="round" opacity="0.85"' : 'stroke="#dfe6ee" stroke-width="1.6" opacity="0.5"';
  out.push(`<path d="${d}" fill="none" ${style}/>`);
}

/** A cloth banner between two poles, with colour blocks instead of lettering. */
export function banner(out: string[], rnd: Rng, x: number, top: number, w: number, h: number, light: Light): void {
  const pole = shade([110, 85, 60], light);
  out.push(rect(x - w * 0.02, top, w * 0.02, h * 2.6, pole), rect(x + w, top, w * 0.02, h * 2.6, pole), rect(x, top, w, h, shade(pick(rnd, PLACARD), light)));
  for (let i = 0; i < 3; i++) out.push(rect(x + w * (0.08 + i * 0.3), top + h * 0.3, w * 0.24, h * 0.4, shade(pick(rnd, PLACARD), light)));
}

/** Shopfronts with pulled-down ribbed shutters under plain colour fascias. */
export function shutters(out: string[], rnd: Rng, x: number, foot: number, h: number, w: number, light: Light): void {
  building(out, rnd, x, w * 0.96, foot - h * (4 + rnd() * 3), foot - h * 2.2, light, false);
  out.push(rect(x, foot - h * 2.2, w * 0.96, h * 0.35, shade(pick(rnd, PLACARD), light)));
  out.push(rect(x, foot - h * 1.85, w * 0.96, h * 1.85, shade([150, 154, 158], light)));
  let ribs = '';
  for (let y = foot - h * 1.8; y < foot; y += Math.max(3, h * 0.08)) ribs += `M${fmt(x)} ${fmt(y)}h${fmt(w * 0.96)}`;
  out.push(`<path d="${ribs}" stroke="${shade([100, 104, 110], light)}" stroke-width="${fmt(Math.max(1, h * 0.02))}"/>`);
}

export function shelter(out: string[], x: number, foot: number, h: number, light: Light): void {
  const frame = shade([70, 80, 90], light);
  out.push(rect(x, foot - h * 1.3, h * 4, h * 0.12, frame), rect(x, foot - h * 1.3, h * 0.06, h * 1.3, frame), rect(x + h * 3.94, foot - h * 1.3, h * 0.06, h * 1.3, frame));
  out.push(rect(x + h * 0.1, foot - h * 1.15, h * 3.8, h * 0.8, '#b8d0dc', ' opacity="0.35"'));
}

/** A railing with hand-painted banners hung over it to dry. */
export function railing(out: string[], rnd: Rng, foot: number, h: number, size: number, light: Light): void {
  const metal = shade([60, 62, 66], light);
  let posts = `M0 ${fmt(foot - h * 0.6)}h${size}`;
  for (let x = 0; x < size; x += h * 0.4) posts += `M${fmt(x)} ${fmt(foot - h * 0.6)}v${fmt(h * 0.6)}`;
  for (let x = rnd() * h; x < size; x += h * (1.6 + rnd())) {
    const w = h * (1 + rnd() * 0.8);
    out.push(rect(x, foot - h * 0.62, w, h * (0.5 + rnd() * 0.3), shade(pick(rnd, PLACARD), light)));
    out.push(rect(x + w * 0.15, foot - h * 0.5, w * 0.6, h * 0.1, shade(pick(rnd, PLACARD), light)));
  }
  out.push(`<path d="${posts}" stroke="${metal}" stroke-width="${fmt(Math.max(1, h * 0.03))}"/>`);
}

/** Leaflets scattered over the ground, bigger towards the camera. */
export function leaflets(out: string[], rnd: Rng, horizon: number, size: number, light: Light): void {
  let d = '';
  for (let i = 0; i < 160; i++) {
    const y = horizon + (size - horizon) * rnd() ** 0.7;
    const s = 2 + ((y - horizon) / (size - horizon)) * 22;
    d += `M${fmt(rnd() * size)} ${fmt(y)}l${fmt(s)} ${fmt(s * (rnd() - 0.5))}l${fmt(-s * 0.3)} ${fmt(s * 0.6)}l${fmt(-s)} ${fmt(-s * (rnd() - 0.3))}z`;
  }
  out.push(`<path d="${d}" fill="${shade([238, 236, 228], light)}"/>`);
}

export function table(out: string[], x: number, foot: number, h: number, light: Light): void {
  const leg = shade([90, 90, 90], light);
  out.push(rect(x - h * 0.6, foot - h * 0.5, h * 1.2, h * 0.08, shade([235, 235, 230], light)), rect(x - h * 0.5, foot - h * 0.45, h * 0.04, h * 0.45, leg), rect(x + h * 0.46, foot - h * 0.45, h * 0.04, h * 0.45, leg));
  for (let i = 0; i < 4; i++) out.push(rect(x - h * 0.5 + i * h * 0.25, foot - h * 0.62, h * 0.1, h * 0.12, shade([120, 170, 220], light)));
}

/** A volunteer tent: canopy, poles and a table of supplies. */
export function tent(out: string[], rnd: Rng, x: number, foot: number, h: number, light: Light): void {
  const canopy = shade(pick(rnd, PLACARD), light);
  out.push(`<path d="M${fmt(x)} ${fmt(foot - h * 1.5)}L${fmt(x + h * 1.2)} ${fmt(foot - h * 2)}L${fmt(x + h * 2.4)} ${fmt(foot - h * 1.5)}z" fill="${canopy}"/>`);
  out.push(rect(x, foot - h * 1.5, h * 0.05, h * 1.5, shade([80, 80, 80], light)), rect(x + h * 2.35, foot - h * 1.5, h * 0.05, h * 1.5, shade([80, 80, 80], light)));
  table(out, x + h * 0.7, foot, h, light);
  table(out, x + h * 1.8, foot, h, light);
}
