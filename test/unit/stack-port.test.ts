/** The local stack's ports: free when chosen, and out of the range the OS gives outgoing connections. */
import { readFileSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { portIsFree, stackPort } from '../../scripts/stack/net.js';
import { scratchDir } from '../support/scratch.js';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('stackPort', () => {
  it('chooses free ports below the ephemeral range, which an outgoing connection never takes', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => stackPort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      expect(port).toBeLessThan(ephemeralLow);
      expect(await portIsFree(port)).toBe(true);
    }
  });

  it('sees a port held on the IPv6 wildcard, as functions-framework listens, as taken', async () => {
    const server = createServer();
    const port = await stackPort();
    await new Promise<void>((resolve) => server.listen(port, '::', resolve));
    try {
      expect(await portIsFree(port, '::')).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('between stacks on one machine', () => {
    /** A random() that gives `values` in turn, then keeps giving the last. */
    const sequence = (...values: number[]) => {
      let i = 0;
      return () => values[Math.min(i++, values.length - 1)]!;
    };
    /** Two draws whose ports are free now. */
    async function twoFreeDraws(): Promise<[number, number]> {
      const draws: number[] = [];
      for (let r = 0.1; draws.length < 2; r += 0.013) {
        const port = Math.max(1024, ephemeralLow - 16_384) + Math.floor(r * (ephemeralLow - Math.max(1024, ephemeralLow - 16_384)));
        if ((await portIsFree(port)) && (await portIsFree(port, '::'))) draws.push(r);
      }
      return draws as [number, number];
    }

    it.each([
      ['skips a free port another stack chose moments ago (not bound yet)', 0, false],
      ['takes a port whose claim is older than any start-up', 10 * 60_000, true],
    ])('%s', async (_name, claimAgeMs, samePort) => {
      const claims = scratchDir('port-claims-');
      const [first, second] = await twoFreeDraws();
      const chosen = await stackPort({ random: sequence(first), claims });
      if (claimAgeMs > 0) {
        const then = new Date(Date.now() - claimAgeMs);
        utimesSync(join(claims, String(chosen)), then, then);
      }
      const next = await stackPort({ random: sequence(first, second), claims });
      expect(next === chosen).toBe(samePort);
      expect(readFileSync(join(claims, String(next)), 'utf8')).toBe(`${process.pid}\n`);
    });
  });
});
