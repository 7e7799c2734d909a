/**
 * A one-line progress display on a terminal, fitted to the terminal's width on every redraw so it
 * never wraps (a wrapped line can't be redrawn in place and leaves stale lines behind); periodic
 * plain lines when output is a file or a CI log.
 */
export interface ProgressState {
  total: number;
  done: number;
  failed: number;
  detail: string;
}

export interface Progress {
  update(state: ProgressState): void;
  finish(): void;
}

/** The one throughput figure every command prints: images that succeeded per second of wall time since the request. */
export function imagesPerSecond(images: number, elapsedMs: number): string {
  return `${elapsedMs > 0 ? (images / (elapsedMs / 1000)).toFixed(2) : '0.00'} images/s`;
}

const MAX_BAR = 30;
const MIN_BAR = 10;

/**
 * The progress line, at most `width` characters. The parts that matter least go first when space
 * runs out: the stage counts, then the rate, then the failures, then the bar; the done count stays.
 */
export function renderBar(state: ProgressState, width = 80, elapsedMs = 0): string {
  const parts = [
    `${state.done}/${state.total} done`,
    `${state.failed} failed`,
    ...(elapsedMs > 0 ? [imagesPerSecond(state.done - state.failed, elapsedMs)] : []),
    ...(state.detail ? [state.detail] : []),
  ];
  const fraction = state.total === 0 ? 1 : Math.min(1, state.done / state.total);
  for (let keep = parts.length; keep >= 1; keep--) {
    const text = parts.slice(0, keep).join(' · ');
    const barWidth = Math.min(MAX_BAR, width - text.length - 3);
    if (barWidth >= MIN_BAR) {
      const filled = Math.round(fraction * barWidth);
      return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${text}`;
    }
  }
  for (let keep = parts.length; keep >= 1; keep--) {
    const text = parts.slice(0, keep).join(' · ');
    if (text.length <= width) return text;
  }
  return (parts[0] as string).slice(0, Math.max(0, width));
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  now?: () => number;
  /** When the work started (the request), so the rate matches the summary's; defaults to now. */
  startedAt?: number;
  /** Redraw one line in place; by default when the stream is a terminal and CI is not set. */
  interactive?: boolean;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = options.startedAt ?? now();
  const interactive = options.interactive ?? (Boolean(stream.isTTY) && process.env.CI !== 'true');
  let drawn = false;
  let lastLine = '';
  let lastPrinted = 0;
  return {
    update(state) {
      if (interactive) {
        // One column short of the width: writing the last column makes some terminals wrap.
        const line = renderBar(state, Math.max(1, (stream.columns || 80) - 1), now() - started);
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
        return;
      }
      const line = renderBar(state, 200, now() - started);
      if (line !== lastLine && (now() - lastPrinted > 10_000 || state.done === state.total)) {
        stream.write(`${line}\n`);
        lastLine = line;
        lastPrinted = now();
      }
    },
    finish() {
      if (interactive && drawn) stream.write('\n');
    },
  };
}
