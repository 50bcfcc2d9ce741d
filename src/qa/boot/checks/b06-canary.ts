import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export interface CanaryFacts {
  /** "mode owner path" of every file that contains the canary. */
  files: string[];
  /** "mode owner" of instance-data-sensitive.json, or '' when absent. */
  sensitiveJson: string;
}

const SEARCH = '/etc /var /run /home /root /tmp /srv /opt /usr/local';

export function evaluateCanary(f: CanaryFacts) {
  const out = [];
  if (f.files.length === 0) out.push(finding('the user-data canary was found nowhere: the probe itself is broken'));
  for (const line of f.files) {
    const [mode = '', owner = '', path = ''] = line.split(' ');
    if (Number.parseInt(mode.slice(-1), 8) & 4) out.push(finding(`user-data secret in a world-readable file (mode ${mode}, ${owner})`, path));
  }
  const [mode = '', owner = ''] = f.sensitiveJson.split(' ');
  if (f.sensitiveJson && (owner !== 'root' || Number.parseInt(mode, 8) & 0o077)) {
    out.push(finding(`instance-data-sensitive.json is mode ${mode} owned by ${owner}, expected 600 root`, '/run/cloud-init/instance-data-sensitive.json'));
  }
  return out;
}

export const canary: BootCheck = {
  id: 'B6',
  title: 'a secret in user-data never lands in world-readable files or logs',
  async run({ sh, identity }) {
    const found = await sh(`sudo grep -rlsF --exclude-dir=proc -e '${identity.canary}' ${SEARCH} | sudo xargs -r stat -c '%a %U %n'`, 300_000);
    const json = await sh("sudo stat -c '%a %U' /run/cloud-init/instance-data-sensitive.json 2>/dev/null");
    return evaluateCanary({ files: found.stdout.split('\n').filter(Boolean), sensitiveJson: json.stdout.trim() });
  },
};
