import type { Command } from 'commander';
import { ROLES } from '../../catalog/roles.ts';
import { AppError } from '../../errors.ts';
import { createToken, listTokens, revokeToken, type Token } from '../../store/tokens.ts';
import { type RawServiceOptions, withServiceOptions, withServiceStore } from './service-options.ts';

type Opts = RawServiceOptions & { json?: boolean };

/** Tokens are managed on the store directly: whoever runs this is the local operator of the service. */
const withStore = withServiceStore;

function stateOf(t: Token, now = new Date().toISOString()): string {
  if (t.revokedAt) return `revoked ${t.revokedAt}`;
  if (t.expiresAt && t.expiresAt <= now) return `expired ${t.expiresAt}`;
  return t.expiresAt ? `expires ${t.expiresAt}` : 'active';
}

function parseDays(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3650) {
    throw new AppError('cli.bad_expiry', `--expires ${value} is not a number of days between 0 and 3650`, { hint: 'e.g. --expires 90' });
  }
  return n;
}

/** `herd tokens create|list|revoke`: API tokens for the CLI (HERD_TOKEN), CI and the portal. */
export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('create, list and revoke API tokens of the release service');
  withServiceOptions(tokens.command('create').description('create a token; prints its secret once, on stdout'))
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')} (each may do what the ones before it may)`)
    .option('--name <name>', 'who or what uses it (default: ROLE-ID)')
    .option('--expires <days>', 'refuse it after this many days (default: never)', parseDays)
    .option('--json', 'print the token (with its secret) as JSON')
    .action(async (o: Opts & { role: string; name?: string; expires?: number }) => {
      if (o.name !== undefined && (o.name.length > 100 || /[\u0000-\u001F\u007F-\u009F]/.test(o.name))) {
        throw new AppError('cli.bad_token_name', '--name must be one line of at most 100 characters', { hint: 'e.g. --name ci-publisher' });
      }
      const { token, secret } = await withStore(o, (s) => createToken(s.db, { role: o.role, name: o.name, expiresInDays: o.expires }));
      if (o.json) { process.stdout.write(JSON.stringify({ ...token, secret }, null, 2) + '\n'); return; }
      process.stderr.write(`created token ${token.id} "${token.name}" with role ${token.role} (${stateOf(token)}); its secret is shown this once:\n`);
      process.stdout.write(`${secret}\n`);
      process.stderr.write('use it with: export HERD_TOKEN=<the secret above>\n');
    });
  withServiceOptions(tokens.command('list').description('list tokens (never their secrets)'))
    .option('--json', 'print JSON')
    .action(async (o: Opts) => {
      const list = await withStore(o, (s) => listTokens(s.db));
      if (o.json) { process.stdout.write(JSON.stringify(list, null, 2) + '\n'); return; }
      if (!list.length) process.stderr.write('no tokens yet: create one with `herd tokens create --role ROLE`\n');
      for (const t of list) {
        process.stdout.write(`${t.id}  ${t.role.padEnd(11)} ${t.name.padEnd(24)} created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}  ${stateOf(t)}\n`);
      }
    });
  withServiceOptions(tokens.command('revoke').argument('<id>', 'token id (from `herd tokens list`)').description('revoke a token at once'))
    .option('--json', 'print JSON')
    .action(async (id: string, o: Opts) => {
      const t = await withStore(o, (s) => revokeToken(s.db, id));
      process.stdout.write(o.json ? JSON.stringify(t, null, 2) + '\n' : `token ${t.id} "${t.name}" revoked at ${t.revokedAt}\n`);
    });
}
