import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export const SERVER_ROLE = '/usr/local/sbin/herd-server-role';

/** What the server role leaves behind, read from the guest (see STATE_PROBE). */
export interface RoleState {
  /** file path -> sha256 of its content ('' when absent) */
  files: Record<string, string>;
  cockpitSocket: string;
}

export interface RoleRun { code: number; output: string }

export interface ServerRoleFacts {
  help: RoleRun;
  dryRun: RoleRun;
  beforeDryRun: RoleState;
  afterDryRun: RoleState;
  first: RoleRun;
  afterFirst: RoleState;
  second: RoleRun;
  afterSecond: RoleState;
}

const DISABLED = '/etc/cloud/cloud-init.disabled';
const CFG = '/etc/cloud/cloud.cfg.d/99-herd-server-role.cfg';
/** cloud-init's generated network files and the role's kept copies, for each network stack (networkd, netplan, ifupdown). */
const NET_CI = ['/etc/systemd/network/10-cloud-init-*.network', '/etc/netplan/50-cloud-init.yaml', '/etc/network/interfaces.d/50-cloud-init'];
const NET_OWN = ['/etc/systemd/network/60-herd-server-*.network', '/etc/netplan/60-herd-server.yaml', '/etc/network/interfaces.d/60-herd-server'];
const globRe = (g: string) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+')}$`);
/** Paths of the state that are present and match one of the globs. */
const present = (s: RoleState, globs: string[]) => Object.keys(s.files).filter((f) => s.files[f] && globs.some((g) => globRe(g).test(f)));

const same = (a: RoleState, b: RoleState) => JSON.stringify(a) === JSON.stringify(b);
const firstLines = (s: string) => s.trim().split('\n').slice(0, 4).join(' | ');

export function evaluateServerRole(f: ServerRoleFacts) {
  const out = [];
  if (f.help.code !== 0 || !/--dry-run/.test(f.help.output)) out.push(finding(`--help failed or does not document --dry-run (exit ${f.help.code}): ${firstLines(f.help.output)}`, SERVER_ROLE));
  if (f.dryRun.code !== 0) out.push(finding(`--dry-run failed (exit ${f.dryRun.code}): ${firstLines(f.dryRun.output)}`, SERVER_ROLE));
  else if (!/would /.test(f.dryRun.output)) out.push(finding(`--dry-run on a fresh instance announced no change: ${firstLines(f.dryRun.output)}`, SERVER_ROLE));
  if (!same(f.beforeDryRun, f.afterDryRun)) out.push(finding('--dry-run changed the system', SERVER_ROLE));
  if (f.first.code !== 0) out.push(finding(`the server role failed (exit ${f.first.code}): ${firstLines(f.first.output)}`, SERVER_ROLE));
  const s = f.afterFirst;
  if (!s.files[DISABLED]) out.push(finding('cloud-init is not disabled for later boots', DISABLED));
  if (!s.files[CFG]) out.push(finding('no cloud-init setting keeps the hostname (preserve_hostname)', CFG));
  if (present(s, NET_OWN).length === 0) out.push(finding('the network configuration was not kept in a file of its own', NET_OWN.join(' or ')));
  for (const f of present(s, NET_CI)) out.push(finding("cloud-init's generated network file is still there beside the kept one", f));
  if (s.cockpitSocket !== 'enabled') out.push(finding(`cockpit.socket is ${s.cockpitSocket || 'unknown'}, not enabled`));
  if (f.second.code !== 0) out.push(finding(`a second run failed (exit ${f.second.code}): ${firstLines(f.second.output)}`, SERVER_ROLE));
  else if (/would |set to|kept as|^herd-server-role: (tell|disable|enable|write)/m.test(f.second.output)) {
    out.push(finding(`a second run changed something (not idempotent): ${firstLines(f.second.output)}`, SERVER_ROLE));
  }
  if (!same(f.afterFirst, f.afterSecond)) out.push(finding('a second run changed the files it manages (not idempotent)', SERVER_ROLE));
  return out;
}

/** Parses STATE_PROBE: "path sha256" lines (sha '-' when absent), then "cockpit.socket STATE". */
export function parseRoleState(text: string): RoleState {
  const files: Record<string, string> = {};
  let cockpitSocket = '';
  for (const line of text.split('\n')) {
    const [k, v = ''] = line.trim().split(/\s+/);
    if (!k) continue;
    if (k === 'cockpit.socket') cockpitSocket = v;
    else files[k] = v === '-' ? '' : v;
  }
  return { files, cockpitSocket };
}

const STATE_PROBE = [
  // the shell expands each glob to the files present; one that matches nothing stays as it is and reads as absent
  `for f in /etc/hostname /etc/hosts ${CFG} ${DISABLED} ${NET_CI.join(' ')} ${NET_OWN.join(' ')}; do`,
  'if sudo test -f "$f"; then echo "$f $(sudo sha256sum < "$f" | cut -c1-64)"; else echo "$f -"; fi; done;',
  'echo "cockpit.socket $(systemctl is-enabled cockpit.socket 2>&1 | head -n1)"',
].join(' ');

const runRole = async (sh: Parameters<BootCheck['run']>[0]['sh'], args: string): Promise<RoleRun> => {
  const r = await sh(`sudo ${SERVER_ROLE} ${args} 2>&1`, 600_000);
  return { code: r.code, output: r.stdout };
};

export const serverRole: BootCheck = {
  id: 'S1',
  title: 'herd-server-role: --help, --dry-run changes nothing, a run applies every step, a second run changes nothing',
  async run({ sh }) {
    const state = async () => parseRoleState((await sh(STATE_PROBE, 300_000)).stdout);
    const help = await runRole(sh, '--help');
    const beforeDryRun = await state();
    const dryRun = await runRole(sh, '--dry-run');
    const afterDryRun = await state();
    const first = await runRole(sh, '');
    const afterFirst = await state();
    const second = await runRole(sh, '');
    const afterSecond = await state();
    return evaluateServerRole({ help, dryRun, beforeDryRun, afterDryRun, first, afterFirst, second, afterSecond });
  },
};
