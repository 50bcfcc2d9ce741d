import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { excerpt, parseFields } from '../probe-fields.ts';

export interface DockerDaemonFacts { enabled: string; active: string; serverCode: number; server: string }

export function evaluateDockerDaemon(f: DockerDaemonFacts) {
  const out = [];
  if (f.enabled !== 'enabled') out.push(finding(`docker.service is not enabled at boot (systemctl is-enabled: ${f.enabled || 'no answer'})`));
  if (f.active !== 'active') out.push(finding(`docker.service is not running after boot (systemctl is-active: ${f.active || 'no answer'})`));
  if (f.serverCode !== 0 || !/^\d+\.\d+/.test(f.server)) out.push(finding(`the docker client gets no server version (exit ${f.serverCode}): ${excerpt(f.server)}`));
  return out;
}

// is-active is read before the client runs: docker.socket would start a stopped daemon on the first call
const PROBE = [
  'echo "ENABLED=$(systemctl is-enabled docker.service 2>&1)"',
  'echo "ACTIVE=$(systemctl is-active docker.service 2>&1)"',
  'V=$(sudo docker version --format "{{.Server.Version}}" 2>&1); echo "CODE=$?"; echo "SERVER=$V"',
].join('; ');

export const dockerDaemon: BootCheck = {
  id: 'C1',
  title: 'the Docker daemon is enabled, running after boot and answers the client',
  async run({ sh }) {
    const r = await sh(PROBE, 120_000);
    const f = parseFields(r.stdout);
    return evaluateDockerDaemon({ enabled: f.ENABLED ?? '', active: f.ACTIVE ?? '', serverCode: Number(f.CODE ?? r.code), server: r.stdout.split('SERVER=')[1] ?? r.stderr });
  },
};
