/**
 * People for the embedded renderer: standing figures with optional placards, and
 * head-and-shoulders portraits, in a wide range of skin tones and clothing colours.
 */
import { pick } from '../../core/scenario/index.js';
import { circle, CLOTHING, ellipse, fmt, line, mix, PLACARD, rect, shade, type Light, type Rgb, type Rng } from './scene-parts.js';

/** A wide range of skin tones, so generated crowds are visibly diverse. */
const SKIN: Rgb[] = [
  [255, 224, 196], [241, 194, 160], [230, 188, 152], [224, 172, 131], [198, 134, 94], [176, 118, 78],
  [160, 110, 75], [141, 85, 54], [117, 72, 46], [94, 58, 36], [74, 45, 30], [58, 36, 25],
];
const TROUSERS: Rgb[] = [[40, 44, 60], [60, 60, 64], [90, 80, 70], [30, 30, 34], [70, 90, 120], [110, 100, 80], [50, 70, 60]];
const HAIR: Rgb[] = [[20, 18, 16], [45, 32, 24], [80, 55, 35], [120, 80, 45], [175, 130, 80], [205, 205, 200], [140, 140, 140], [110, 50, 30]];

/** A placard on a stick: painted blocks stand in for lettering (no <text>, fonts may be missing). */
export function placard(out: string[], rnd: Rng, x: number, top: number, w: number, light: Light): void {
  const h = w * (0.55 + rnd() * 0.3);
  const board = pick(rnd, PLACARD);
  out.push(line(x, top + h, x, top + h + w * 1.3, shade([120, 90, 60], light), Math.max(1, w * 0.06)));
  out.push(rect(x - w / 2, top, w, h, shade(board, light)));
  const ink = shade(mix(pick(rnd, PLACARD), [20, 20, 30], 0.6), light);
  for (let i = 0; i < 2 + Math.floor(rnd() * 2) && w > 12; i++) {
    out.push(rect(x - w * 0.38, top + h * (0.18 + i * 0.28), w * (0.5 + rnd() * 0.26), h * 0.13, ink));
  }
}

/** A standing person of height h with feet at (x, foot); distant figures are simplified to keep the SVG small. */
export function figure(out: string[], rnd: Rng, x: number, foot: number, h: number, light: Light, sign: boolean): void {
  const skin = shade(pick(rnd, SKIN), light);
  const top = shade(pick(rnd, CLOTHING), light);
  const hair = shade(pick(rnd, HAIR), light);
  const r = h * 0.075;
  const headY = foot - h + r;
  if (h < 22) {
    out.push(rect(x - h * 0.15, foot - h * 0.82, h * 0.3, h * 0.82, top), circle(x, headY, r * 1.2, skin));
  } else {
    const legs = shade(pick(rnd, TROUSERS), light);
    const w = h * (0.27 + rnd() * 0.08);
    out.push(rect(x - w * 0.42, foot - h * 0.5, w * 0.84, h * 0.5, legs));
    out.push(rect(x - w / 2, headY + r * 1.3, w, h * 0.45, top, ` rx="${fmt(w * 0.25)}"`));
    const style = rnd();
    if (style < 0.2) out.push(circle(x, headY + r * 0.2, r * 1.4, top));
    else if (style < 0.45) out.push(ellipse(x, headY + r * 0.6, r * 1.15, r * 1.5, hair));
    out.push(circle(x, headY, r, skin));
    if (style >= 0.45 && style < 0.85) out.push(`<path d="M${fmt(x - r)} ${fmt(headY)}a${fmt(r)} ${fmt(r)} 0 0 1 ${fmt(2 * r)} 0z" fill="${hair}"/>`);
    else if (style >= 0.85) out.push(rect(x - r * 1.1, headY - r * 1.05, r * 2.2, r * 0.8, top, ` rx="${fmt(r * 0.4)}"`));
  }
  if (sign) placard(out, rnd, x + h * 0.16, foot - h * 1.45, h * 0.5, light);
}

export interface PortraitTraits {
  profile: boolean;
  grey: boolean;
  beard: boolean;
  glasses: boolean;
  headscarf: boolean;
  cap: boolean;
  clothing?: Rgb;
  stripes: boolean;
}

/** One large head-and-shoulders figure centred on cx, head radius R. */
export function portrait(out: string[], rnd: Rng, cx: number, headY: number, R: number, bottom: number, t: PortraitTraits, light: Light): void {
  const skinRgb = pick(rnd, SKIN);
  const skin = shade(skinRgb, light);
  const cloth = shade(t.clothing ?? pick(rnd, CLOTHING), light);
  const hair = shade(t.grey ? pick(rnd, [[200, 200, 196], [150, 150, 150]] as Rgb[]) : pick(rnd, HAIR), light);
  const dir = t.profile ? (rnd() < 0.5 ? -1 : 1) : 0;
  const longHair = !t.headscarf && !t.cap && rnd() < 0.45;
  const scarf = shade(pick(rnd, CLOTHING), light);
  if (t.headscarf) out.push(ellipse(cx, headY + R * 0.35, R * 1.3, R * 1.65, scarf));
  else if (longHair) out.push(ellipse(cx - dir * R * 0.2, headY + R * 0.6, R * 1.15, R * 1.7, hair));
  out.push(rect(cx - R * 0.38, headY + R * 0.6, R * 0.76, R * 1.2, shade(mix(skinRgb, [0, 0, 0], 0.15), light)));
  const sh = headY + R * 1.55;
  out.push(`<path d="M${fmt(cx - R * 2.7)} ${fmt(bottom)}C${fmt(cx - R * 2.6)} ${fmt(sh)} ${fmt(cx - R * 1.6)} ${fmt(sh)} ${fmt(cx)} ${fmt(sh)}C${fmt(cx + R * 1.6)} ${fmt(sh)} ${fmt(cx + R * 2.6)} ${fmt(sh)} ${fmt(cx + R * 2.7)} ${fmt(bottom)}z" fill="${cloth}"/>`);
  out.push(`<path d="M${fmt(cx - R * 0.5)} ${fmt(sh)}L${fmt(cx)} ${fmt(sh + R * 0.7)}L${fmt(cx + R * 0.5)} ${fmt(sh)}z" fill="${skin}"/>`);
  if (t.stripes) {
    const band = shade([200, 205, 210], light);
    out.push(rect(cx - R * 2.6, sh + R * 1.3, R * 5.2, R * 0.22, band), rect(cx - R * 2.6, sh + R * 1.9, R * 5.2, R * 0.22, band));
  }
  out.push(ellipse(cx + dir * R * 0.15, headY, R * 0.82, R, skin));
  if (!t.headscarf && dir === 0) out.push(ellipse(cx - R * 0.82, headY + R * 0.1, R * 0.14, R * 0.22, skin), ellipse(cx + R * 0.82, headY + R * 0.1, R * 0.14, R * 0.22, skin));
  if (t.headscarf) out.push(`<path d="M${fmt(cx - R * 0.95)} ${fmt(headY)}A${fmt(R * 0.95)} ${fmt(R * 1.1)} 0 0 1 ${fmt(cx + R * 0.95)} ${fmt(headY)}L${fmt(cx + R * 0.8)} ${fmt(headY - R * 0.3)}A${fmt(R * 0.8)} ${fmt(R * 0.7)} 0 0 0 ${fmt(cx - R * 0.8)} ${fmt(headY - R * 0.3)}z" fill="${scarf}"/>`);
  else out.push(`<path d="M${fmt(cx - R * 0.86)} ${fmt(headY - R * 0.05)}A${fmt(R * 0.86)} ${fmt(R * 1.02)} 0 0 1 ${fmt(cx + R * 0.86)} ${fmt(headY - R * 0.05)}Q${fmt(cx + R * 0.2 * (1 + dir))} ${fmt(headY - R * 0.75)} ${fmt(cx - R * 0.86)} ${fmt(headY - R * 0.05)}z" fill="${hair}"/>`);
  if (t.cap) out.push(ellipse(cx, headY - R * 0.72, R * 0.95, R * 0.42, cloth), rect(cx - R * 0.2 + dir * R * 0.5, headY - R * 0.5, R * 1.1, R * 0.14, cloth));
  const ink = shade([35, 28, 25], light);
  const ex = cx + dir * R * 0.45;
  const gap = dir === 0 ? R * 0.34 : R * 0.22;
  out.push(ellipse(ex - gap, headY + R * 0.05, R * 0.09, R * 0.06, ink), ellipse(ex + gap, headY + R * 0.05, R * 0.09, R * 0.06, ink));
  out.push(rect(ex - gap - R * 0.14, headY - R * 0.16, R * 0.28, R * 0.05, hair), rect(ex + gap - R * 0.14, headY - R * 0.16, R * 0.28, R * 0.05, hair));
  out.push(line(ex - R * 0.16, headY + R * 0.55, ex + R * 0.16, headY + R * 0.55, shade(mix(skinRgb, [90, 30, 30], 0.5), light), R * 0.05));
  if (t.beard) out.push(`<path d="M${fmt(cx - R * 0.75)} ${fmt(headY + R * 0.2)}Q${fmt(cx)} ${fmt(headY + R * 1.55)} ${fmt(cx + R * 0.75)} ${fmt(headY + R * 0.2)}Q${fmt(cx)} ${fmt(headY + R * 0.9)} ${fmt(cx - R * 0.75)} ${fmt(headY + R * 0.2)}z" fill="${hair}"/>`);
  if (t.glasses) {
    const frame = ` stroke="${ink}" stroke-width="${fmt(R * 0.04)}"`;
    out.push(circle(ex - gap, headY + R * 0.05, R * 0.2, 'none', frame), circle(ex + gap, headY + R * 0.05, R * 0.2, 'none', frame));
  }
}
