/**
 * The api function as deployed (same handler, same dependencies, same framework server),
 * in a process of its own whose Firestore calls are metered. bench:cohort forks it and asks
 * for its counters over IPC: `{ type: 'sample' }` → `{ reads, writes, calls, cpuMs, peakRssBytes }`.
 */
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { loadConfig } from '../../functions/config.js';
import { apiDependencies } from '../../functions/dependencies.js';
import { makeApiHandler } from '../../functions/handlers/api.js';
import { meteredFirestoreSettings, newMeter } from './firestore-meter.js';

export interface MeterSample {
  reads: number;
  writes: number;
  calls: Record<string, number>;
  /** User + system CPU of this process since it started, in ms. */
  cpuMs: number;
  /** The most resident memory this process has held, in bytes. */
  peakRssBytes: number;
}

const meter = newMeter();
const handler = makeApiHandler(apiDependencies(loadConfig(process.env), meteredFirestoreSettings(meter)));
functions.http('meteredApi', (req, res) => handler(req, res));
const server = getTestServer('meteredApi');
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.({ type: 'listening' }));

process.on('message', (message: { type?: string }) => {
  if (message.type !== 'sample') return;
  const cpu = process.cpuUsage();
  const sample: MeterSample = { reads: meter.reads, writes: meter.writes, calls: { ...meter.calls }, cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.send?.({ type: 'sample', sample });
});
process.on('disconnect', () => process.exit(0));
