/**
 * A one-line progress bar on a terminal; periodic plain lines when output is a file or CI log.
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

export function renderBar(state: ProgressState, width = 30, elapsedMs = 0): string {
  const fraction = state.total === 0 ? 1 : Math.min(1, state.done / state.total);
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? ` · ${((state.done - state.failed) / (elapsedMs / 1000)).toFixed(2)} img/s` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${state.done}/${state.total} done · ${state.failed} failed${rate} · ${state.detail}`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Progress {
  const started = now();
  const interactive = Boolean(stream.isTTY) && process.env.CI !== 'true';
  let lastLine = '';
  let lastPrinted = 0;
  return {
    update(state) {
      const line = renderBar(state, 30, now() - started);
      if (interactive) {
        stream.write(`\r${line.padEnd(lastLine.length)}`);
        lastLine = line;
      } else if (line !== lastLine && (now() - lastPrinted > 10_000 || state.done === state.total)) {
        stream.write(`${line}\n`);
        lastLine = line;
        lastPrinted = now();
      }
    },
    finish() {
      if (interactive && lastLine) stream.write('\n');
    },
  };
}
