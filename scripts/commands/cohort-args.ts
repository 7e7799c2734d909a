import { parseArgs } from 'node:util';

/** The instructor's commands, parsed without I/O so they can be tested with a table. */
export type CohortCommand =
  | { kind: 'add'; names: string[] | null; namesFile: string | null; quota: number | undefined; out: string | null }
  | { kind: 'list' }
  | { kind: 'quota'; id: string; quota: number }
  | { kind: 'revoke'; id: string }
  | { kind: 'purge'; id: string | null };

export type ParsedCohort = { ok: true; api: string; command: CohortCommand } | { ok: false; error: string } | { ok: false; help: true };

export const COHORT_USAGE = `usage: INSTRUCTOR_TOKEN=... npm run cohort -- --api URL <command>
commands:
  add --name NAME [--quota N]                          one participant; prints its token once
  add --names FILE [--quota N] [--out tokens.csv]      one participant per line of FILE; writes name,id,token,imageQuota
  list                                                 participants with their usage
  quota ID N                                           set a participant's total image quota
  revoke ID                                            revoke a participant's token at once
  purge ID                                             delete a participant's runs and images
  purge --all --yes                                    delete every run, image and participant of the cohort`;

const whole = (text: string | undefined, what: string): number | string => (text !== undefined && /^\d+$/.test(text) ? Number(text) : `${what} must be a whole number, got "${text ?? ''}"`);

export function parseCohortArgs(argv: string[]): ParsedCohort {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        api: { type: 'string' }, name: { type: 'string' }, names: { type: 'string' }, quota: { type: 'string' },
        out: { type: 'string' }, all: { type: 'boolean' }, yes: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { ok: false, help: true };
  const api = values.api;
  if (!api || !/^https?:\/\/\S+$/.test(api)) return { ok: false, error: '--api URL is required (the api function URL)' };
  const [kind, ...rest] = positionals;
  const quota = values.quota === undefined ? undefined : whole(values.quota, '--quota');
  if (typeof quota === 'string') return { ok: false, error: quota };
  const done = (command: CohortCommand): ParsedCohort => ({ ok: true, api, command });
  switch (kind) {
    case 'add':
      if (!values.name === !values.names) return { ok: false, error: 'add needs exactly one of --name NAME or --names FILE' };
      return done({ kind: 'add', names: values.name ? [values.name] : null, namesFile: values.names ?? null, quota, out: values.out ?? null });
    case 'list':
      return done({ kind: 'list' });
    case 'quota': {
      const value = whole(rest[1], 'the quota');
      if (!rest[0] || typeof value === 'string') return { ok: false, error: `usage: quota ID N${typeof value === 'string' ? ` (${value})` : ''}` };
      return done({ kind: 'quota', id: rest[0], quota: value });
    }
    case 'revoke':
      return rest[0] ? done({ kind: 'revoke', id: rest[0] }) : { ok: false, error: 'usage: revoke ID' };
    case 'purge':
      if (values.all) return values.yes ? done({ kind: 'purge', id: null }) : { ok: false, error: 'purge --all deletes the whole cohort; add --yes to confirm' };
      return rest[0] ? done({ kind: 'purge', id: rest[0] }) : { ok: false, error: 'usage: purge ID, or purge --all --yes' };
    default:
      return { ok: false, error: kind ? `unknown command "${kind}"` : 'a command is required' };
  }
}
