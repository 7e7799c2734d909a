/** The local stack's ports: free when chosen, and out of the range the OS gives outgoing connections. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { portIsFree, stackPort } from '../../scripts/stack/net.js';

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
});
