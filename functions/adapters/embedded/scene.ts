/**
 * Turns a planned prompt into an SVG scene. Free-form variable values are read by keyword
 * (the scenario's own axis first, then the whole prompt) so any scenario gets a plausible
 * picture; the same request always yields the same SVG.
 */
import type { ImageRequest } from '../../core/objects/index.js';
import { createRandom, hashString, pick, randomInt } from '../../core/scenario/index.js';
import {
  banner, barrier, building, circle, ellipse, fmt, lamp, leaflets, mix, PLACARD, precipitation, railing, rect,
  shade, shelter, shutters, stall, table, tent, tree, vehicle, type Light, type Rgb, type Rng,
} from './scene-parts.js';
import { figure, placard, portrait } from './scene-people.js';
import type { SceneGuide } from './reference-guide.js';
import { classify, CROWDS, GROUNDS, kindOf, NOON, own, SETTINGS, TIMES, VIEWS, WEATHER, type Kind, type Setting } from './scene-vocabulary.js';

/** How strongly a reference's colours pull the sky and ground toward them: clearly, while time and weather still show. */
const GUIDE_WEIGHT = 0.6;

/**
 * The SVG for one request: sky, setting backdrop, people or props in depth order, then weather
 * overlays. A `guide` from reference photographs sets the horizon and tints sky and ground.
 */
export function composeScene(request: ImageRequest, size = 1024, guide: SceneGuide | null = null): string {
  const rnd = createRandom((hashString(request.prompt) ^ request.seed) >>> 0);
  const prompt = request.prompt.toLowerCase();
  const vars = (...names: string[]): string[] => [names.map((n) => request.variables[n] ?? '').join(' ').toLowerCase(), prompt];
  const kind = kindOf(request.category.toLowerCase(), request.prompt);
  const time = classify(TIMES, vars('time_of_day', 'time', 'lighting'), NOON);
  const weather = classify(WEATHER, vars('weather', 'conditions'), 'clear');
  const setting = classify(SETTINGS, vars('setting', 'location', 'place'), 'street');
  const framed = classify(VIEWS, vars('perspective', 'camera', 'shot', 'composition'), { horizon: 0.45, k: 0.92, near: 1 });
  // Kept inside the band the renderer's depth layout works in.
  const view = guide ? { ...framed, horizon: Math.min(0.7, Math.max(0.25, guide.horizon)) } : framed;
  const snow = weather === 'snow';
  const wet = weather === 'rain' || weather === 'heavy';
  const dim = { heavy: 0.66, rain: 0.78, overcast: 0.86, fog: 0.9, snow: 0.95, haze: 0.92, wind: 0.97, clear: 1 }[weather];
  const light: Light = { ambient: time.ambient * dim, tint: time.tint, night: time.night };
  const grey: Rgb = time.night ? [40, 44, 56] : [170, 174, 180];
  const skyMix = { heavy: 0.8, rain: 0.7, overcast: 0.7, fog: 0.75, snow: 0.45, haze: 0.35, wind: 0.15, clear: 0 }[weather];
  const sky = time.sky.map((c) => mix(c, grey, skyMix)).map((c) => (guide ? mix(c, guide.sky, GUIDE_WEIGHT) : c)).map((c) => shade(c, { ambient: dim, tint: [1, 1, 1], night: false }));
  const H = view.horizon * size;
  const D = size - H;
  const plain = snow ? [236, 240, 246] as Rgb : wet ? mix(GROUNDS[setting], [40, 44, 52], 0.35) : GROUNDS[setting];
  const ground = guide ? mix(plain, guide.ground, GUIDE_WEIGHT) : plain;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`,
    '<defs><radialGradient id="glow"><stop offset="0" stop-color="#ffc870" stop-opacity="0.55"/><stop offset="1" stop-color="#ffc870" stop-opacity="0"/></radialGradient>',
    `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky[0]}"/><stop offset="1" stop-color="${sky[1]}"/></linearGradient>`,
    `<linearGradient id="ground" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${shade(mix(ground, [200, 205, 210], 0.3), light)}"/><stop offset="1" stop-color="${shade(mix(ground, [0, 0, 0], 0.15), light)}"/></linearGradient></defs>`,
    rect(0, 0, size, H + 2, 'url(#sky)'),
  ];
  if (weather === 'clear') out.push(time.night ? circle(size * 0.78, H * 0.3, size * 0.03, '#e8e8dc') : circle(size * 0.8, H * 0.3, size * 0.06, shade([255, 244, 214], time)));
  if (weather === 'wind' || weather === 'overcast') {
    for (let i = 0; i < 7; i++) out.push(ellipse(rnd() * size, rnd() * H * 0.7, size * (0.08 + rnd() * 0.1), size * (0.02 + rnd() * 0.02), shade(mix(grey, [255, 255, 255], 0.6), light)));
  }
  out.push(rect(0, H, size, D, 'url(#ground)'));

  const base = H + D * 0.05;
  const u = Math.max(5, view.k * (base - H));
  backdrop(out, rnd, setting, { size, H, base, u, light, snow });
  if (time.lamps || rnd() < 0.5) for (let x = rnd() * size * 0.3; x < size; x += size * 0.35) lamp(out, x, H + D * 0.12, u * 3.2 * (1 + view.k * 0.2), light, time.lamps);

  const stage: Stage = { out, size, H, D, view, light };
  if (kind === 'portrait') {
    out.push(rect(0, 0, size, size, sky[1] ?? '#888', ' opacity="0.4"'));
    drawPortrait(rnd, vars, stage, false);
  } else {
    people(rnd, kind, vars, stage);
  }

  if (weather === 'fog' || weather === 'haze') {
    const fog = shade(weather === 'fog' ? [205, 210, 214] : [205, 175, 130], { ...light, ambient: Math.max(0.35, light.ambient) });
    out.push(`<linearGradient id="fog" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${fog}" stop-opacity="0.75"/><stop offset="${fmt(view.horizon + 0.05)}" stop-color="${fog}" stop-opacity="0.85"/><stop offset="1" stop-color="${fog}" stop-opacity="${weather === 'fog' ? 0.35 : 0.25}"/></linearGradient>`);
    out.push(rect(0, 0, size, size, 'url(#fog)'));
  }
  if (wet) precipitation(out, rnd, size, weather === 'heavy' ? 1100 : 450, false);
  if (snow && /\b(snowing|falling snow|blizzard|snowstorm|sleet)/.test(prompt)) precipitation(out, rnd, size, 500, true);
  out.push('</svg>');
  return out.join('');
}

interface Frame { size: number; H: number; base: number; u: number; light: Light; snow: boolean }

/** A row of buildings across the frame; u is the height of a person at the building line. */
function skyline(out: string[], rnd: Rng, f: Frame, floors: [number, number], balconies = false): void {
  for (let x = -rnd() * f.u * 4; x < f.size; ) {
    const w = f.u * (3 + rnd() * 5);
    building(out, rnd, x, w, f.base - f.u * (floors[0] + rnd() * (floors[1] - floors[0])), f.base, f.light, f.snow, balconies);
    x += w + (rnd() < 0.2 ? f.u * 2 : 0);
  }
}

function backdrop(out: string[], rnd: Rng, setting: Setting, f: Frame): void {
  const { size, H, base, u, light } = f;
  const water = shade([70, 100, 125], light);
  switch (setting) {
    case 'port':
      out.push(rect(0, H, size, base - H + u * 0.4, water));
      for (let x = size * 0.55; x < size; x += u * 6) {
        const c = shade([200, 90, 40], light);
        out.push(rect(x, base - u * 9, u * 0.3, u * 9, c), rect(x - u * 3, base - u * 9, u * 6, u * 0.4, c), rect(x, base - u * 9, u * 0.1, u * 0.1, c));
      }
      for (let x = 0; x < size * 0.5; x += u * 2.2) for (let y = 0; y < randomInt(rnd, 1, 4); y++) out.push(rect(x, base - u * (y + 1) * 0.9, u * 2.1, u * 0.85, shade(pick(rnd, PLACARD), light)));
      return;
    case 'village':
      out.push(ellipse(size * 0.25, H, size * 0.5, u * 6, shade(f.snow ? [220, 225, 232] : [90, 120, 80], light)), ellipse(size * 0.8, H, size * 0.45, u * 4, shade(f.snow ? [210, 215, 225] : [110, 130, 85], light)));
      for (let x = rnd() * u * 3; x < size; x += u * (4 + rnd() * 4)) {
        const w = u * (2.5 + rnd() * 2);
        building(out, rnd, x, w, base - u * 2, base, light, false);
        out.push(`<path d="M${fmt(x - u * 0.3)} ${fmt(base - u * 2)}L${fmt(x + w / 2)} ${fmt(base - u * 3.3)}L${fmt(x + w + u * 0.3)} ${fmt(base - u * 2)}z" fill="${shade(f.snow ? [235, 238, 244] : [170, 80, 60], light)}"/>`);
        if (rnd() < 0.6) tree(out, rnd, x + w + u, base + u * 0.2, u * 3, light, f.snow);
      }
      return;
    case 'campus':
      skyline(out, rnd, f, [3, 5]);
      for (let x = 0; x < size; x += u * 1.2) out.push(rect(x, base - u * 3, u * 0.3, u * 3, shade([225, 222, 214], light)));
      for (let x = u; x < size; x += u * 5) tree(out, rnd, x, base + u * 0.6, u * 4, light, f.snow);
      return;
    case 'civic':
      skyline(out, rnd, f, [4, 7]);
      out.push(rect(size * 0.25, base - u * 7, size * 0.5, u * 7, shade([222, 214, 196], light)));
      out.push(`<path d="M${fmt(size * 0.23)} ${fmt(base - u * 7)}L${fmt(size / 2)} ${fmt(base - u * 9.5)}L${fmt(size * 0.77)} ${fmt(base - u * 7)}z" fill="${shade([205, 196, 178], light)}"/>`);
      for (let x = size * 0.27; x < size * 0.74; x += u * 1.3) out.push(rect(x, base - u * 6.5, u * 0.45, u * 6.5, shade([240, 236, 226], light)));
      for (let x = u; x < size; x += u * 4) if (x < size * 0.22 || x > size * 0.78) tree(out, rnd, x, base + u * 0.5, u * 4.5, light, f.snow);
      return;
    case 'overpass':
      skyline(out, rnd, f, [4, 10]);
      out.push(rect(0, base - u * 4.5, size, u * 1.4, shade([160, 160, 155], light)), rect(0, base - u * 4.7, size, u * 0.3, shade([120, 120, 118], light)));
      for (let x = size * 0.1; x < size; x += size * 0.3) out.push(rect(x, base - u * 3.2, u * 1.2, u * 3.2, shade([145, 145, 140], light)));
      out.push(`<path d="M${fmt(size / 2)} ${fmt(H)}L${fmt(size * 0.35)} ${fmt(size)}M${fmt(size / 2)} ${fmt(H)}L${fmt(size * 0.65)} ${fmt(size)}" stroke="${shade([230, 225, 200], light)}" stroke-width="${fmt(u * 0.15)}" stroke-dasharray="${fmt(u)} ${fmt(u)}"/>`);
      return;
    case 'market':
      skyline(out, rnd, f, [3, 7]);
      for (let x = -rnd() * u * 4; x < size; x += u * (4.4 + rnd())) stall(out, rnd, x, base + u * 0.8, u * 4, light);
      return;
    case 'station':
      skyline(out, rnd, f, [4, 9]);
      out.push(rect(0, base - u * 3, size, u * 0.4, shade([90, 120, 110], light)));
      for (let x = size * 0.05; x < size; x += size * 0.2) out.push(rect(x, base - u * 2.6, u * 0.25, u * 2.6, shade([80, 90, 95], light)));
      for (let x = rnd() * u * 3; x < size; x += u * 7) vehicle(out, rnd, x, base + u * 0.5, u * 6, light);
      return;
    case 'river':
      skyline(out, rnd, { ...f, u: u * 0.6 }, [3, 10]);
      out.push(rect(0, base, size, (size - H) * 0.2, water), rect(0, base + (size - H) * 0.2, size, u * 0.2, shade([60, 60, 64], light)));
      for (let x = 0; x < size; x += u) out.push(rect(x, base + (size - H) * 0.2 - u * 1.1, u * 0.08, u * 1.1, shade([60, 60, 64], light)));
      out.push(rect(0, base + (size - H) * 0.2 - u * 1.1, size, u * 0.1, shade([60, 60, 64], light)));
      return;
    default:
      skyline(out, rnd, f, setting === 'plaza' ? [4, 10] : [5, 14], setting === 'residential');
      if (setting === 'plaza') {
        let grid = '';
        for (let i = -10; i <= 10; i++) grid += `M${fmt(size / 2 + i * u * 0.8)} ${fmt(base)}L${fmt(size / 2 + i * size * 0.2)} ${fmt(size)}`;
        out.push(`<path d="${grid}" stroke="${shade([120, 112, 100], light)}" stroke-width="1.5" opacity="0.5"/>`);
      }
  }
}

interface Stage { out: string[]; size: number; H: number; D: number; view: { k: number; near: number }; light: Light }
type Place = (x: number, d: number, draw: (foot: number, h: number) => void) => void;
type Texts = (...names: string[]) => string[];

/** Figures (or props, for contextual scenes) placed in depth and painted back to front. */
function people(rnd: Rng, kind: Kind, texts: Texts, s: Stage): void {
  const { out, size, H, D, view, light } = s;
  const items: { y: number; draw: () => void }[] = [];
  const at: Place = (x, d, draw) => {
    const foot = H + d * view.near;
    items.push({ y: foot + x * 1e-6, draw: () => draw(foot, Math.max(8, view.k * d * view.near)) });
  };
  if (kind === 'contextual') {
    props(rnd, own(texts('detail', 'object', 'objects')), at, s);
    for (let i = randomInt(rnd, 0, 2); i > 0; i--) {
      const x = rnd() * size;
      at(x, D * (0.08 + rnd() * 0.15), (foot, h) => figure(out, rnd, x, foot, h, light, false));
    }
  } else {
    const [min, max] = classify(CROWDS, texts('crowd', 'people', 'group'), kind === 'protest' ? [30, 60] : [10, 14]);
    const n = randomInt(rnd, min, max);
    if (n === 1) return drawPortrait(rnd, texts, s, kind === 'protest');
    const [lo, hi] = n >= 100 ? [0.02, 0.55] : n >= 30 ? [0.08, 0.85] : n >= 10 ? [0.25, 0.9] : [0.45, 0.95];
    const clusters = Array.from({ length: kind === 'gathering' ? Math.ceil(n / randomInt(rnd, 6, 14)) : 0 }, () => [0.1 + rnd() * 0.8, lo + (hi - lo) * rnd()] as const);
    const activity = own(texts('activity', 'action'));
    for (let i = 0; i < n; i++) {
      const c = clusters.length ? pick(rnd, clusters) : undefined;
      const x = c ? (c[0] + (rnd() - 0.5) * (n < 10 ? 0.5 : 0.25)) * size : (rnd() * 1.1 - 0.05) * size;
      const d = D * (c ? Math.min(1, Math.max(0.02, c[1] + (rnd() - 0.5) * 0.12)) : lo + (hi - lo) * rnd() ** (n >= 100 ? 1.8 : 1.1));
      const sign = kind === 'protest' && rnd() < 0.35;
      const candle = /candle|vigil/.test(activity) && rnd() < 0.6;
      at(x, d, (foot, h) => {
        figure(out, rnd, x, foot, h, light, sign);
        if (candle) out.push(circle(x + h * 0.1, foot - h * 0.5, h * 0.12, 'url(#glow)'), circle(x + h * 0.1, foot - h * 0.5, Math.max(1.2, h * 0.02), '#ffe2a0'));
      });
    }
    if (kind === 'protest' && n >= 20) {
      for (let i = randomInt(rnd, 1, 3); i > 0; i--) {
        const x = rnd() * size * 0.8;
        at(x, D * (lo + (hi - lo) * (0.3 + rnd() * 0.5)), (foot, h) => banner(out, rnd, x, foot - h * 1.35, h * 2.6, h * 0.5, light));
      }
    }
    for (const [cx, cd] of clusters) {
      if (/table|kitchen|food|water|notice|chair/.test(activity)) at(cx * size, D * cd + 2, (foot, h) => table(out, cx * size, foot, h, light));
      else if (/speaker|crate|stage/.test(activity) && cx === clusters[0]?.[0]) at(cx * size, D * Math.max(0.02, cd - 0.1), (foot, h) => {
        out.push(rect(cx * size - h * 0.3, foot - h * 0.3, h * 0.6, h * 0.3, shade([150, 110, 70], light)));
        figure(out, rnd, cx * size, foot - h * 0.3, h, light, false);
      });
    }
  }
  items.sort((a, b) => a.y - b.y);
  for (const item of items) item.draw();
}

/** Objects that tell the story of a contextual scene, chosen from the detail text. */
function props(rnd: Rng, detail: string, at: Place, s: Stage): void {
  const { out, size, D, light } = s;
  const row = (count: number, depth: number, draw: (x: number, foot: number, h: number) => void): void => {
    for (let i = 0; i < count; i++) {
      const x = ((i + 0.1) / count + rnd() * 0.1 - 0.05) * size;
      at(x, D * depth, (foot, h) => draw(x, foot, h));
    }
  };
  const vehicles = (x: number, foot: number, h: number): void => vehicle(out, rnd, x, foot, h * (rnd() < 0.4 ? 5 : 3.2), light);
  const barriers = (x: number, foot: number, h: number): void => barrier(out, x, foot, h * 1.8, light);
  if (/shutter|shopfront|grille|\bshop/.test(detail)) row(3, 0.15, (x, foot, h) => shutters(out, rnd, x, foot, h, size / 3, light));
  else if (/commuter|shelter|\bqueue/.test(detail) && !/\b(cars?|vehicles?|fuel)\b/.test(detail)) {
    row(1, 0.35, (x, foot, h) => shelter(out, x, foot, h, light));
    for (let i = randomInt(rnd, 4, 6); i > 0; i--) {
      const x = size * (0.25 + i * 0.09);
      at(x, D * (0.36 + i * 0.015), (foot, h) => figure(out, rnd, x, foot, h, light, false));
    }
  } else if (/\b(bus|minibus|vans?|cars?|vehicles?|fuel|traffic|taxi)/.test(detail)) {
    row(3, 0.18, vehicles);
    row(2, 0.32, vehicles);
  } else if (/barrier|fence|cordon/.test(detail)) for (const d of [0.2, 0.35, 0.5]) row(4, d, barriers);
  else if (/banner|railing|flag|laundry/.test(detail)) row(1, 0.45, (_x, foot, h) => railing(out, rnd, foot, h, size, light));
  else if (/stall|crate|market/.test(detail)) row(4, 0.4, (x, foot, h) => stall(out, rnd, x, foot, h * 2.2, light));
  else if (/leaflet|paper|litter|flyer/.test(detail)) row(1, 0.3, () => leaflets(out, rnd, s.H, size, light));
  else if (/tent|table|water/.test(detail)) row(2, 0.45, (x, foot, h) => tent(out, rnd, x, foot, h, light));
  else {
    row(2, 0.2, vehicles);
    row(3, 0.4, barriers);
  }
}

/** One large head-and-shoulders figure; a lone protester also holds a placard. */
function drawPortrait(rnd: Rng, texts: Texts, s: Stage, withSign: boolean): void {
  const { out, size, light } = s;
  const who = own(texts('subject', 'person', 'who'));
  const framing = texts('framing', 'perspective', 'shot', 'composition').join(' ');
  const scale = /close-up|close up|closeup|tight/.test(framing) ? 0.17 : /half-length|environmental|full|wide/.test(framing) ? 0.09 : 0.125;
  const R = size * (withSign ? 0.1 : scale);
  const cx = size * (0.5 + (rnd() - 0.5) * 0.2 - (withSign ? 0.1 : 0));
  const headY = size - R * (/from below|low angle|low-angle/.test(framing) ? 5.2 : 4.6);
  portrait(out, rnd, cx, headY, R, size, {
    profile: /profile|side/.test(framing),
    grey: /seventies|sixties|eighties|retired|grey|gray|elderly|older|white hair/.test(who),
    beard: /beard/.test(who),
    glasses: /glasses|spectacles/.test(who),
    headscarf: /headscarf|hijab|head scarf|headwrap/.test(who),
    cap: /\b(cap|hat|beanie)\b/.test(who),
    stripes: /high-visibility|hi-vis|reflective/.test(who),
    ...(/high-visibility|hi-vis/.test(who) ? { clothing: [215, 225, 60] as Rgb } : /scrubs/.test(who) ? { clothing: [70, 150, 150] as Rgb } : {}),
  }, light);
  if (withSign) placard(out, rnd, cx + R * 2.6, headY - R * 2.2, R * 2.6, light);
}
