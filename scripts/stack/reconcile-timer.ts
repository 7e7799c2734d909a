/**
 * Locally, this stands in for Cloud Scheduler: it calls the reconcile function every
 * `intervalMs` (RECONCILE_INTERVAL_SECONDS, the same setting the deployed schedule is built
 * from). A tick starts only after the previous one answered, so ticks never pile up on a busy machine.
 */
export interface ReconcileTimer {
  ticks(): number;
  stop(): void;
}

/** `firstTickMs`: when the first tick runs (default: after one interval); 0 when the stack restarted on saved data, to resume its work at once. */
export function startReconcileTimer(options: { url: string; intervalMs: number; firstTickMs?: number; log: (line: string) => void }): ReconcileTimer {
  let ticks = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      const response = await fetch(options.url, { method: 'POST', signal: AbortSignal.timeout(Math.max(60_000, options.intervalMs)) });
      await response.arrayBuffer();
      if (response.status !== 200) options.log(`reconcile tick answered ${response.status}; see its log`);
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
