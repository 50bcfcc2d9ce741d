import type { Command } from 'commander';
import { ROLES } from '../../catalog/roles.ts';
import { AppError } from '../../errors.ts';
import { type Account, createAccount, disableAccount, listAccounts, setAccountPassword, setAccountRole } from '../../store/accounts.ts';
import { recordAudit } from '../../store/audit.ts';
import { type RawServiceOptions, withServiceOptions, withServiceStore } from './service-options.ts';

type Opts = RawServiceOptions & { json?: boolean; passwordStdin?: boolean };

/**
 * The password, never from a flag (flags end up in shell history and `ps`): from stdin with
 * --password-stdin, or from HERD_ACCOUNT_PASSWORD.
 */
async function readPassword(o: Opts): Promise<string> {
  if (o.passwordStdin) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of process.stdin) {
      size += (c as Buffer).length;
      if (size > 4096) throw new AppError('cli.password_too_long', 'the password on stdin is longer than 4 KiB', { hint: 'pipe only the password, e.g. `pass show herd/alice | herd accounts create alice --role reviewer --password-stdin`' });
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const env = process.env.HERD_ACCOUNT_PASSWORD;
  if (env) return env;
  throw new AppError('cli.no_password', 'no password given', { hint: 'pipe it with --password-stdin, or set HERD_ACCOUNT_PASSWORD' });
}

const line = (a: Account) => `${a.name.padEnd(24)} ${a.role.padEnd(11)} created ${a.createdAt}${a.disabledAt ? `  disabled ${a.disabledAt}` : ''}`;

/** `herd accounts create|list|role|password|disable`: portal sign-in accounts, run by the local operator. */
export function registerAccounts(program: Command): void {
  const accounts = program.command('accounts').description('create and manage portal accounts (sign-in for the template library and dashboard)');
  withServiceOptions(accounts.command('create').argument('<name>', 'account name: lower case, 3-40 characters').description('create an account with a role'))
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password-stdin', 'read the password from stdin (else HERD_ACCOUNT_PASSWORD)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: Opts & { role: string }) => {
      const password = await readPassword(o);
      const a = await withServiceStore(o, async (s) => {
        const made = await createAccount(s.db, { name, role: o.role, password });
        await recordAudit(s.db, { actor: 'operator (cli)', action: 'account_created', subject: made.name, detail: { role: made.role } });
        return made;
      });
      process.stdout.write(o.json ? JSON.stringify(a, null, 2) + '\n' : `created ${line(a)}\n`);
    });
  withServiceOptions(accounts.command('list').description('list accounts (never their password hashes)'))
    .option('--json', 'print JSON')
    .action(async (o: Opts) => {
      const list = await withServiceStore(o, (s) => listAccounts(s.db));
      if (o.json) { process.stdout.write(JSON.stringify(list, null, 2) + '\n'); return; }
      if (!list.length) process.stderr.write('no accounts yet: create one with `herd accounts create NAME --role ROLE --password-stdin`\n');
      for (const a of list) process.stdout.write(line(a) + '\n');
    });
  withServiceOptions(accounts.command('role').argument('<name>').argument('<role>', ROLES.join(', ')).description('change an account\'s role (live sessions get it at once)'))
    .action(async (name: string, role: string, o: Opts) => {
      const a = await withServiceStore(o, async (s) => {
        const changed = await setAccountRole(s.db, name, role);
        await recordAudit(s.db, { actor: 'operator (cli)', action: 'account_role_changed', subject: name, detail: { role } });
        return changed;
      });
      process.stdout.write(`${line(a)}\n`);
    });
  withServiceOptions(accounts.command('password').argument('<name>').description('set a new password'))
    .option('--password-stdin', 'read the password from stdin (else HERD_ACCOUNT_PASSWORD)')
    .action(async (name: string, o: Opts) => {
      const password = await readPassword(o);
      const a = await withServiceStore(o, (s) => setAccountPassword(s.db, name, password));
      process.stdout.write(`new password set for ${a.name}\n`);
    });
  withServiceOptions(accounts.command('disable').argument('<name>').description('disable an account and end its sessions'))
    .action(async (name: string, o: Opts) => {
      const a = await withServiceStore(o, async (s) => {
        const d = await disableAccount(s.db, name);
        await recordAudit(s.db, { actor: 'operator (cli)', action: 'account_disabled', subject: name });
        return d;
      });
      process.stdout.write(`${line(a)}\n`);
    });
}
