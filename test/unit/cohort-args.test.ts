import { describe, expect, it } from 'vitest';
import { parseCohortArgs } from '../../scripts/commands/cohort-args.js';

const api = ['--api', 'https://api.example.run.app'];

describe('parseCohortArgs', () => {
  it.each([
    { argv: [...api, 'add', '--names', 'names.txt', '--quota', '100', '--out', 'tokens.csv'], command: { kind: 'add', namesFile: 'names.txt', names: null, quota: 100, out: 'tokens.csv' } },
    { argv: [...api, 'add', '--name', 'Ada'], command: { kind: 'add', names: ['Ada'], namesFile: null, quota: undefined, out: null } },
    { argv: [...api, 'list'], command: { kind: 'list' } },
    { argv: [...api, 'quota', 'u-1', '250'], command: { kind: 'quota', id: 'u-1', quota: 250 } },
    { argv: [...api, 'revoke', 'u-1'], command: { kind: 'revoke', id: 'u-1' } },
    { argv: [...api, 'purge', 'u-1'], command: { kind: 'purge', id: 'u-1' } },
    { argv: [...api, 'purge', '--all', '--yes'], command: { kind: 'purge', id: null } },
  ])('parses $argv', ({ argv, command }) => {
    expect(parseCohortArgs(argv)).toEqual({ ok: true, api: 'https://api.example.run.app', command });
  });

  it.each([
    { argv: ['list'], error: /--api URL is required/ },
    { argv: [...api], error: /a command is required/ },
    { argv: [...api, 'remove'], error: /unknown command "remove"/ },
    { argv: [...api, 'add'], error: /exactly one of --name NAME or --names FILE/ },
    { argv: [...api, 'add', '--name', 'A', '--quota', 'lots'], error: /--quota must be a whole number/ },
    { argv: [...api, 'quota', 'u-1'], error: /usage: quota ID N/ },
    { argv: [...api, 'purge', '--all'], error: /add --yes to confirm/ },
  ])('rejects $argv', ({ argv, error }) => {
    const parsed = parseCohortArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok && 'error' in parsed) expect(parsed.error).toMatch(error);
  });
});
