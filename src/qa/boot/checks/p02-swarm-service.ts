import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { GUEST_IMAGE_PATH, HTTP_MARKER, putTestImage, TEST_IMAGE_NAME } from '../container-test-image.ts';
import { excerpt, parseFields } from '../probe-fields.ts';
import { block } from './c03-docker-run.ts';

export const SERVICE_PORT = 8080;

export interface SwarmServiceFacts {
  createCode: number;
  createOutput: string;
  /** `docker service ls` Replicas, e.g. "1/1". */
  replicas: string;
  /** What http://127.0.0.1:8080/ answered (status line, headers, body), empty if nothing did. */
  response: string;
  /** `docker service ps` CurrentState and Error of the tasks, to say why it did not answer. */
  tasks: string;
}

export function evaluateSwarmService(f: SwarmServiceFacts) {
  if (f.createCode !== 0) return [finding(`docker service create failed (exit ${f.createCode}): ${excerpt(f.createOutput)}`)];
  if (!/^HTTP\/1\.[01] 200/.test(f.response) || !f.response.includes(HTTP_MARKER)) {
    return [finding(`the service did not answer on 127.0.0.1:${SERVICE_PORT} (replicas ${f.replicas || 'unknown'}; ` +
      `response: ${excerpt(f.response, 1)}; tasks: ${excerpt(f.tasks, 2)})`)];
  }
  return [];
}

const NAME = 'herd-qa-web';
// published through the swarm's routing mesh (ingress network, IPVS): the path a real service takes
const PROBE = [
  `sudo docker service rm ${NAME} >/dev/null 2>&1`,
  `sudo docker image inspect ${TEST_IMAGE_NAME} >/dev/null 2>&1 || sudo docker load -q -i ${GUEST_IMAGE_PATH} >/dev/null 2>&1`,
  `C=$(sudo docker service create --detach --quiet --name ${NAME} --publish published=${SERVICE_PORT},target=80 ${TEST_IMAGE_NAME} /bin/busybox httpd -f -p 80 -h /www 2>&1); echo "CREATE_CODE=$?"`,
  `for i in $(seq 1 60); do B=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${SERVICE_PORT}; printf "GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n" >&3; cat <&3' 2>/dev/null | tr -d '\\r'); case "$B" in *"${HTTP_MARKER}"*) break;; esac; sleep 3; done`,
  `echo "REPLICAS=$(sudo docker service ls --filter name=${NAME} --format '{{.Replicas}}' 2>&1)"`,
  `T=$(sudo docker service ps --no-trunc --format '{{.CurrentState}} {{.Error}}' ${NAME} 2>&1 | head -n 3)`,
  'printf "CREATE_OUTPUT<<\\n%s\\n>>\\nRESPONSE<<\\n%s\\n>>\\nTASKS<<\\n%s\\n>>\\n" "$C" "$B" "$T"',
  `sudo docker service rm ${NAME} >/dev/null 2>&1`,
].join('; ');

export const swarmService: BootCheck = {
  id: 'P2',
  title: `a swarm service from the locally loaded image answers on 127.0.0.1:${SERVICE_PORT} (routing mesh)`,
  async run(ctx) {
    const put = await putTestImage(ctx);
    if (put.findings.length) return put.findings;
    const r = await ctx.sh(PROBE, 420_000);
    const f = parseFields(r.stdout);
    return evaluateSwarmService({
      createCode: Number(f.CREATE_CODE ?? r.code), createOutput: block(r.stdout, 'CREATE_OUTPUT') || r.stderr, replicas: f.REPLICAS ?? '',
      response: block(r.stdout, 'RESPONSE'), tasks: block(r.stdout, 'TASKS'),
    });
  },
};
