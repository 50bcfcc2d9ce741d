import type { Command } from 'commander';
import { AppError } from '../../errors.ts';

interface ApiOpts { server: string; json?: boolean }

/**
 * Calls a running `herd serve` with the token in HERD_TOKEN (if set); API errors come back as AppErrors
 * with the server's code and hint.
 */
async function call(o: ApiOpts, method: string, path: string, body?: unknown): Promise<any> {
  let res: Response;
  const token = process.env.HERD_TOKEN;
  try {
    // Writes always send JSON (the server refuses other media types, against cross-site forms).
    const write = method !== 'GET';
    res = await fetch(new URL(path, o.server), {
      method,
      headers: { ...(write ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: write ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch (e) {
    throw new AppError('cli.server_unreachable', `cannot reach ${o.server}: ${(e as Error).message}`, { kind: 'dependency', hint: 'start it with `herd serve`, or pass --server URL' });
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const kind = res.status === 401 ? 'unauthenticated' : res.status === 403 ? 'forbidden' : res.status >= 500 ? 'dependency' : 'user';
    const hint = res.status === 401 && !token ? `HERD_TOKEN is not set: ${data.hint ?? 'create a token with `herd tokens create --role ROLE`'}` : data.hint;
    throw new AppError(data.code ?? 'cli.server_error', data.message ?? `HTTP ${res.status}`, { hint, kind });
  }
  return data;
}

/** Text from the server shown in a terminal: control characters (escape sequences) are shown escaped, never sent raw. */
function printable(s: unknown): string {
  return String(s ?? '').replace(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A release changelog (GET /api/releases/:id/changelog) for a terminal; every string from the server goes through printable(). */
export function changelogText(c: any, entries: boolean): string {
  const s = c.summary;
  const out = [`against ${printable(s.against?.version ?? '(first release)')}: ${s.upgraded} upgraded, ${s.added} added, ${s.removed} removed${s.downgraded ? `, ${s.downgraded} downgraded` : ''}; ${s.security} security update${s.security === 1 ? '' : 's'}${s.cves.length ? ` fixing ${s.cves.map(printable).join(', ')}` : ''}`];
  for (const u of c.upgraded) {
    out.push(`  ${u.security ? 'S' : ' '} ${printable(u.name)} ${printable(u.from)} -> ${printable(u.to)}${u.cves.length ? `  ${u.cves.map(printable).join(' ')}` : ''}${u.missing ? `  (no entries: ${printable(u.missing)})` : ''}`);
    if (entries) for (const e of u.entries) out.push(`      ${printable(e.version)} ${printable(e.distribution)}`, ...String(e.text).split('\n').map((l) => `      ${printable(l)}`));
  }
  for (const a of c.added) out.push(`  + ${printable(a.name)} ${printable(a.version)}`);
  for (const r of c.removed) out.push(`  - ${printable(r.name)} ${printable(r.version)}`);
  for (const d of c.downgraded) out.push(`  < ${printable(d.name)} ${printable(d.from)} -> ${printable(d.to)}`);
  return `${out.join('\n')}\n`;
}

/** `herd releases list|changelog|promote|revoke`: the release API from the command line. */
export function registerReleases(program: Command): void {
  const releases = program.command('releases').description('list, promote and revoke releases on a running herd serve');
  const server = (c: Command) => c.option('--server <url>', 'herd serve base URL', 'http://127.0.0.1:8080').option('--json', 'print JSON');
  server(releases.command('list').description('list releases'))
    .option('--product <id>').option('--channel <name>')
    .action(async (o: ApiOpts & { product?: string; channel?: string }) => {
      const q = new URLSearchParams(Object.entries({ product: o.product, channel: o.channel }).filter(([, v]) => v) as [string, string][]);
      const { releases: list } = await call(o, 'GET', `/api/releases?${q}`);
      if (o.json) { process.stdout.write(JSON.stringify(list, null, 2) + '\n'); return; }
      for (const r of list) process.stdout.write(`${r.id}  ${r.productId.padEnd(16)} ${r.version.padEnd(14)} ${r.channel.padEnd(8)} ${r.state}${r.revokedAt ? ` revoked: ${printable(r.revokeReason)}` : ''}\n`);
    });
  server(releases.command('changelog').argument('<id>', 'release id').description('what changed since the release before it: upgrades with their changelog entries, security updates, CVE ids'))
    .option('--entries', 'print each upgrade\'s changelog entries too')
    .action(async (id: string, o: ApiOpts & { entries?: boolean }) => {
      const c = await call(o, 'GET', `/api/releases/${encodeURIComponent(id)}/changelog`);
      if (o.json) { process.stdout.write(JSON.stringify(c, null, 2) + '\n'); return; }
      process.stdout.write(changelogText(c, Boolean(o.entries)));
    });
  server(releases.command('promote').argument('<id>', 'release id').description('move a release to another channel'))
    .option('--to <channel>', 'target channel', 'stable')
    .action(async (id: string, o: ApiOpts & { to: string }) => {
      const r = await call(o, 'POST', `/api/releases/${encodeURIComponent(id)}/promote`, { to: o.to });
      process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : `${r.productId} ${r.version} is now in ${r.channel}\n`);
    });
  server(releases.command('revoke').argument('<id>', 'release id').description('revoke a release'))
    .requiredOption('--reason <text>', 'why (shown to clients in the feed)')
    .action(async (id: string, o: ApiOpts & { reason: string }) => {
      const r = await call(o, 'POST', `/api/releases/${encodeURIComponent(id)}/revoke`, { reason: o.reason });
      process.stdout.write(o.json ? JSON.stringify(r, null, 2) + '\n' : `${r.productId} ${r.version} revoked: ${printable(r.revokeReason)}\n`);
    });
}
