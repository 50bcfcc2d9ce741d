import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { GUEST_IMAGE_PATH, putTestImage, TEST_IMAGE_NAME } from '../container-test-image.ts';
import { excerpt, parseFields } from '../probe-fields.ts';

export interface ConfinementFacts {
  runCode: number;
  runOutput: string;
  /** `docker inspect --format '{{.AppArmorProfile}}'` of the running container. */
  profile: string;
  pid: string;
  /** The kernel's AppArmor label of the container's process (/proc/PID/attr/current). */
  label: string;
}

export function evaluateConfinement(f: ConfinementFacts) {
  if (f.runCode !== 0) return [finding(`could not start a container to inspect (exit ${f.runCode}): ${excerpt(f.runOutput)}`)];
  const out = [];
  if (f.profile !== 'docker-default') out.push(finding(`docker reports AppArmor profile "${f.profile}" for the container, not docker-default`));
  if (!/^[1-9]\d*$/.test(f.pid)) out.push(finding(`the container has no process id (${f.pid || 'none'})`));
  else if (f.label !== 'docker-default (enforce)') out.push(finding(`the container's process ${f.pid} runs under AppArmor label "${f.label || 'none'}", not "docker-default (enforce)"`));
  return out;
}

const NAME = 'herd-qa-confined';
// the kernel's view, not only Docker's: what AppArmor actually applies to the container's first process
const PROBE = [
  `sudo docker rm -f ${NAME} >/dev/null 2>&1`,
  `sudo docker image inspect ${TEST_IMAGE_NAME} >/dev/null 2>&1 || sudo docker load -q -i ${GUEST_IMAGE_PATH} >/dev/null 2>&1`,
  `R=$(sudo docker run -d --name ${NAME} ${TEST_IMAGE_NAME} /bin/busybox sleep 600 2>&1); echo "RUN_CODE=$?"; echo "RUN_OUTPUT=$(echo "$R" | tail -n 2 | tr '\\n' ' ')"`,
  `echo "PROFILE=$(sudo docker inspect --format '{{.AppArmorProfile}}' ${NAME} 2>&1)"`,
  `P=$(sudo docker inspect --format '{{.State.Pid}}' ${NAME} 2>/dev/null); echo "PID=$P"`,
  'echo "LABEL=$(sudo cat /proc/$P/attr/apparmor/current 2>/dev/null || sudo cat /proc/$P/attr/current 2>&1)"',
  `sudo docker rm -f ${NAME} >/dev/null 2>&1`,
].join('; ');

export const dockerConfinement: BootCheck = {
  id: 'C4',
  title: 'a running Docker container is confined by the docker-default AppArmor profile',
  async run(ctx) {
    const put = await putTestImage(ctx);
    if (put.findings.length) return put.findings;
    const r = await ctx.sh(PROBE, 300_000);
    const f = parseFields(r.stdout);
    return evaluateConfinement({
      runCode: Number(f.RUN_CODE ?? r.code), runOutput: f.RUN_OUTPUT ?? r.stderr, profile: f.PROFILE ?? '', pid: f.PID ?? '', label: f.LABEL ?? '',
    });
  },
};
