import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export interface SshPolicyFacts {
  /** `sshd -T` output: "keyword value" lines. */
  sshdT: string;
  /** Methods the server offers after a "none" auth attempt, e.g. ['publickey']. */
  offeredMethods: string[];
  /** Exit code and output of `ssh root@guest` with the seed's key. */
  rootLogin: { code: number; stdout: string };
  expectRootLogin: string;
}

export function evaluateSshPolicy(f: SshPolicyFacts) {
  const eff = new Map(f.sshdT.split('\n').map((l) => l.trim().split(/\s+/, 2) as [string, string]));
  const out = [];
  if (!eff.size || !eff.has('passwordauthentication')) out.push(finding('sshd -T gave no effective configuration'));
  if (eff.get('passwordauthentication') === 'yes') out.push(finding('sshd -T: passwordauthentication yes'));
  if (eff.get('kbdinteractiveauthentication') === 'yes') out.push(finding('sshd -T: kbdinteractiveauthentication yes'));
  if (eff.get('pubkeyauthentication') === 'no') out.push(finding('sshd -T: pubkeyauthentication no'));
  const root = eff.get('permitrootlogin');
  if (root && root !== 'no' && f.expectRootLogin === 'no') out.push(finding(`sshd -T: permitrootlogin ${root}, expected no`));
  const weak = f.offeredMethods.filter((m) => m === 'password' || m === 'keyboard-interactive');
  if (weak.length) out.push(finding(`the server offers ${weak.join(', ')} authentication to clients`));
  if (f.rootLogin.code === 0) out.push(finding('root got a shell over SSH with the seed key'));
  return out;
}

/** "Permission denied (publickey,password)." → ['publickey', 'password'] */
export function parseOfferedMethods(stderr: string): string[] {
  return /Permission denied \(([^)]*)\)/.exec(stderr)?.[1]?.split(',').map((s) => s.trim()) ?? [];
}

export const sshPolicy: BootCheck = {
  id: 'B2',
  title: 'SSH accepts only the launch key: no password, keyboard-interactive or root login (sshd -T)',
  async run(ctx) {
    const t = await ctx.sh(`sudo sshd -T -C user=${ctx.identity.user},host=herd-qa,addr=127.0.0.1`);
    const none = await ctx.sshAs(ctx.identity.user, ['-o', 'PreferredAuthentications=none', '-o', 'PubkeyAuthentication=no'], 'true');
    const root = await ctx.sshAs('root', [], 'echo root-shell');
    return evaluateSshPolicy({
      sshdT: t.stdout,
      offeredMethods: parseOfferedMethods(none.stderr),
      rootLogin: { code: root.code, stdout: root.stdout },
      expectRootLogin: ctx.manifest?.ssh?.rootLogin ?? 'no',
    });
  },
};
