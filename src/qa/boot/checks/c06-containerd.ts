import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { excerpt, parseFields } from '../probe-fields.ts';

export interface ContainerdFacts { active: string; versionCode: number; version: string; namespaces: string[] }

/** containerd runs and answers ctr, and Docker runs its containers through it (its "moby" namespace exists). */
export function evaluateContainerd(f: ContainerdFacts) {
  const out = [];
  if (f.active !== 'active') out.push(finding(`containerd.service is not running (systemctl is-active: ${f.active || 'no answer'})`));
  if (f.versionCode !== 0 || !/Server:[\s\S]*Version:\s+\S+/.test(f.version)) out.push(finding(`ctr gets no server version from containerd (exit ${f.versionCode}): ${excerpt(f.version)}`));
  else if (!f.namespaces.includes('moby')) out.push(finding(`containerd has no "moby" namespace: Docker does not use this containerd (namespaces: ${f.namespaces.join(', ') || 'none'})`));
  return out;
}

const PROBE = [
  'echo "ACTIVE=$(systemctl is-active containerd.service 2>&1)"',
  'V=$(sudo ctr version 2>&1); echo "VERSION_CODE=$?"',
  'sudo ctr namespaces list -q 2>/dev/null | sed "s/^/NAMESPACE /"',
  'printf "VERSION<<\\n%s\\n>>\\n" "$V"',
].join('; ');

export const containerd: BootCheck = {
  id: 'C6',
  title: 'containerd runs, answers ctr, and holds the containers Docker ran',
  async run({ sh }) {
    const r = await sh(PROBE, 120_000);
    const f = parseFields(r.stdout);
    const version = /^VERSION<<\n([\s\S]*?)\n>>$/m.exec(r.stdout)?.[1] ?? r.stderr;
    const namespaces = r.stdout.split('\n').filter((l) => l.startsWith('NAMESPACE ')).map((l) => l.slice(10).trim());
    return evaluateContainerd({ active: f.ACTIVE ?? '', versionCode: Number(f.VERSION_CODE ?? r.code), version, namespaces });
  },
};
