/**
 * Locally, this stands in for Cloud Scheduler: it calls the reconcile function every
 * `intervalMs` (RECONCILE_INTERVAL_SECONDS, the same setting the deployed schedule is built
 * from). A tick starts only after the previous one answered, so ticks never pile up on a busy machine.
 */
export interface ReconcileTimer {
  ticks(): number;
  stop(): void;
}

/** What a tick did, as the reconcile function answers it (TickSummary). */
export interface TickCounts {
  requeued: number;
  reassessed: number;
  failed: number;
  completedRuns: number;
}

/**
 * The line for the first tick after a start on saved data. Loading saved data says nothing about
 * whether any work was left unfinished; the tick's own counts do.
 */
export function resumeLine(counts: TickCounts): string {
  const done = [
    [counts.requeued, 'queued again'],
    [counts.reassessed, 'assessed from its stored image'],
    [counts.failed, 'failed as lost'],
  ].filter(([n]) => (n as number) > 0);
  const prompts = done.map(([n, what]) => `${n} ${n === 1 ? 'prompt' : 'prompts'} ${what}`);
  // Marking a run completed whose prompts had all ended is bookkeeping, not unfinished work.
  const runs = counts.completedRuns > 0 ? `${counts.completedRuns} ${counts.completedRuns === 1 ? 'run' : 'runs'} marked completed` : '';
  if (prompts.length === 0) return `no unfinished work from before the restart${runs ? ` (${runs})` : ''}`;
  return `resuming unfinished work from before the restart: ${[...prompts, ...(runs ? [runs] : [])].join(', ')}`;
}

/**
 * `firstTickMs`: when the first tick runs (default: after one interval); 0 when the stack restarted on saved data, to resume its work at once.
 * `onFirstTick`: given the first successful tick's counts.
 */
export function startReconcileTimer(options: { url: string; intervalMs: number; firstTickMs?: number; log: (line: string) => void; onFirstTick?: (counts: TickCounts) => void }): ReconcileTimer {
  let ticks = 0;
  let stopped = false;
  let reported = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      const response = await fetch(options.url, { method: 'POST', signal: AbortSignal.timeout(Math.max(60_000, options.intervalMs)) });
      const body = await response.text();
      if (response.status !== 200) options.log(`reconcile tick answered ${response.status}; see its log`);
      else if (!reported) {
        reported = true;
        options.onFirstTick?.(JSON.parse(body) as TickCounts);
      }
      ticks += 1;
    } catch (error) {
      // The function may be restarting; the supervisor logs that, and the next tick tries again.
      if (!stopped) options.log(`reconcile tick failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!stopped) timer = setTimeout(() => void tick(), options.intervalMs).unref();
  };
  timer = setTimeout(() => void tick(), options.firstTickMs ?? options.intervalMs).unref();
  return {
    ticks: () => ticks,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
