/** `npm run cohort -- --api URL <command>`: the instructor's cohort operations against any deployment. */
import { readFile, writeFile } from 'node:fs/promises';
import { csvRow } from '../../functions/core/export/index.js';
import { ApiClient, explainApiError } from '../client/index.js';
import { plural } from '../lib/index.js';
import { COHORT_USAGE, parseCohortArgs, type CohortCommand } from './cohort-args.js';

interface Created {
  id: string;
  name: string;
  token: string;
  imageQuota: number;
}


async function run(client: ApiClient, command: CohortCommand): Promise<void> {
  switch (command.kind) {
    case 'add': {
      const names = command.names ?? (await readFile(command.namesFile as string, 'utf8')).split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
      if (names.length === 0) throw new Error(`${command.namesFile} holds no names`);
      const { participants } = await client.call<{ participants: Created[] }>('POST', '/v1/participants:batchCreate', {
        participants: names.map((name) => ({ name, ...(command.quota === undefined ? {} : { imageQuota: command.quota }) })),
      });
      const csv = ['name,id,token,imageQuota', ...participants.map((p) => csvRow([p.name, p.id, p.token, p.imageQuota]))].join('\n') + '\n';
      if (command.out) {
        // Tokens are shown once: the file is readable by its owner only.
        await writeFile(command.out, csv, { mode: 0o600 });
        console.error(`${plural(participants.length, 'participant')} created; tokens written to ${command.out}`);
      } else process.stdout.write(csv);
      return;
    }
    case 'list': {
      const pages = await client.allPages<{ participants: Array<{ id: string; name: string; imageQuota: number; imagesUsed: number; revoked: boolean }> }>('/v1/participants');
      const participants = pages.flatMap((page) => page.participants);
      console.log(['id'.padEnd(14), 'name'.padEnd(24), 'used/quota'.padEnd(12), 'status'].join(' '));
      for (const p of participants) console.log([p.id.padEnd(14), p.name.slice(0, 24).padEnd(24), `${p.imagesUsed}/${p.imageQuota}`.padEnd(12), p.revoked ? 'revoked' : 'active'].join(' '));
      return;
    }
    case 'quota':
      await client.call('PATCH', `/v1/participants/${encodeURIComponent(command.id)}`, { imageQuota: command.quota });
      console.error(`quota of ${command.id} set to ${command.quota} images`);
      return;
    case 'revoke':
      await client.call('POST', `/v1/participants/${encodeURIComponent(command.id)}:revoke`);
      console.error(`token of ${command.id} revoked`);
      return;
    case 'purge': {
      const result = await client.call<Record<string, number>>('DELETE', command.id ? `/v1/participants/${encodeURIComponent(command.id)}/runs` : '/v1/cohort');
      console.error(`purged: ${JSON.stringify(result)}`);
      return;
    }
  }
}

async function main(): Promise<number> {
  const parsed = parseCohortArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if ('help' in parsed) return (console.log(COHORT_USAGE), 0);
    console.error(`error: ${parsed.error}\n${COHORT_USAGE}`);
    return 2;
  }
  const token = process.env.INSTRUCTOR_TOKEN;
  if (!token) {
    console.error('error: set INSTRUCTOR_TOKEN to the instructor token of the deployment');
    return 2;
  }
  try {
    await run(new ApiClient(parsed.api, token), parsed.command);
    return 0;
  } catch (error) {
    console.error(`error: ${explainApiError(error, 'INSTRUCTOR_TOKEN')}`);
    return 1;
  }
}

process.exitCode = await main();
