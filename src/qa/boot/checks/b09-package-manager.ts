import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export interface PackageFacts { tool: string; code: number; output: string }

export function evaluatePackages(f: PackageFacts) {
  if (f.tool === 'none') return [finding('no package manager (dpkg or rpm) found in the guest')];
  if (f.code !== 0) return [finding(`${f.tool} consistency check failed (exit ${f.code}): ${f.output.trim().split('\n').slice(0, 3).join(' | ')}`)];
  if (f.tool === 'dpkg' && f.output.trim()) return [finding(`dpkg --audit reports: ${f.output.trim().split('\n')[0]}`)];
  return [];
}

// One probe for either family, chosen by what the guest has; the verdict does not depend on which.
const PROBE = [
  'if command -v dpkg >/dev/null; then echo TOOL=dpkg; sudo apt-get check -qq 2>&1 && sudo dpkg --audit 2>&1;',
  'elif command -v rpm >/dev/null; then echo TOOL=rpm; sudo rpm -Va --nofiles --nodigest --nosignature 2>&1;',
  'else echo TOOL=none; fi',
].join(' ');

export const packageManager: BootCheck = {
  id: 'B9',
  title: 'package database consistent (apt-get check, dpkg --audit / rpm -Va)',
  async run({ sh }) {
    const r = await sh(PROBE, 300_000);
    const [first = '', ...rest] = r.stdout.split('\n');
    return evaluatePackages({ tool: first.replace('TOOL=', '').trim() || 'none', code: r.code, output: rest.join('\n') });
  },
};
