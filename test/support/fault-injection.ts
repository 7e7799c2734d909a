/**
 * Fault injection for the ports a paid call depends on (store, bucket, rate limiter, model). One
 * injector wraps every port of one scenario and numbers their calls in the order they happen; a
 * fault fires at the k-th call. A clean run's own count tells a test how many call sites there
 * are, so a call site added to a handler later is covered without editing any table.
 */

/** The faults one call site is put through. */
export const FAULT_KINDS = ['fail once', 'fail until the lease expires', 'delay past the lease', 'kill before it', 'kill after it'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** The call, counted from 1 across every wrapped port, at which the fault fires. */
  at: number;
}

export interface CallRecord {
  port: string;
  method: string;
}

export class InjectedFault extends Error {
  override name = 'InjectedFault';
}

export interface FaultHooks {
  now: () => number;
  /** How long a `fail until the lease expires` fault keeps failing the same method. */
  leaseMs: number;
  /** For `delay past the lease`: lets the lease run out and another delivery run, before the call goes on. */
  whileDelayed: () => Promise<void>;
  /** For the kills: the process stops here, before the call or once it took effect; the caller never hears back. */
  onKill: () => void;
}

export class FaultInjector {
  readonly calls: CallRecord[] = [];
  fired: (CallRecord & FaultSpec) | null = null;
  private failing: (CallRecord & { until: number }) | null = null;

  constructor(
    private readonly spec: FaultSpec | null,
    private readonly hooks: FaultHooks,
  ) {}

  /** A view of `target` whose methods go through the injector; other properties pass through. */
  wrap<T extends object>(port: string, target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const method = String(property);
        return (...args: unknown[]) => this.invoke({ port, method }, () => (value as (...a: unknown[]) => unknown).apply(object, args));
      },
    });
  }

  private async invoke(site: CallRecord, call: () => unknown): Promise<unknown> {
    this.calls.push(site);
    const number = this.calls.length;
    const failing = this.failing;
    if (failing && failing.port === site.port && failing.method === site.method && this.hooks.now() < failing.until) {
      throw new InjectedFault(`injected: ${site.port}.${site.method} still failing`);
    }
    if (this.spec && !this.fired && number === this.spec.at) {
      this.fired = { ...site, ...this.spec };
      switch (this.spec.kind) {
        case 'fail once':
          throw new InjectedFault(`injected: ${site.port}.${site.method} failed`);
        case 'fail until the lease expires':
          this.failing = { ...site, until: this.hooks.now() + this.hooks.leaseMs };
          throw new InjectedFault(`injected: ${site.port}.${site.method} failed`);
        case 'delay past the lease':
          await this.hooks.whileDelayed();
          break;
        case 'kill before it':
          this.hooks.onKill();
          return new Promise(() => {});
        case 'kill after it':
          await call();
          this.hooks.onKill();
          return new Promise(() => {});
      }
    }
    return call();
  }
}

/** Every (call site, fault) pair of a scenario, from the calls its clean run made; `site` names the call for the test's title. */
export function faultTable(calls: CallRecord[]): (FaultSpec & { site: string })[] {
  return calls.flatMap((call, index) => FAULT_KINDS.map((kind) => ({ kind, at: index + 1, site: `${call.port}.${call.method}` })));
}
