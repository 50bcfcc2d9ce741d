import { randomBytes } from 'node:crypto';
import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { GUEST_IMAGE_PATH, putTestImage, TEST_IMAGE_NAME } from '../container-test-image.ts';
import { excerpt, parseFields } from '../probe-fields.ts';

export interface LoadRunFacts {
  engine: 'docker' | 'podman';
  loadCode: number;
  loadOutput: string;
  /** The id the engine gives the loaded image, and the one the archive holds. */
  imageId: string;
  expectedId: string;
  runCode: number;
  runOutput: string;
  /** A random word the container was told to print: proves this run, not a cached log, answered. */
  token: string;
}

const bareId = (id: string) => id.replace(/^sha256:/, '');

/** Shared by C3 (docker) and C5 (podman): the image loads from the file under its id, and a container of it runs. */
export function evaluateLoadRun(f: LoadRunFacts) {
  const out = [];
  if (f.loadCode !== 0) out.push(finding(`${f.engine} load of ${GUEST_IMAGE_PATH} failed (exit ${f.loadCode}): ${excerpt(f.loadOutput)}`));
  if (!f.imageId) out.push(finding(`${f.engine} has no image ${TEST_IMAGE_NAME} after the load`));
  else if (bareId(f.imageId) !== bareId(f.expectedId)) out.push(finding(`${TEST_IMAGE_NAME} has id ${f.imageId}, the archive holds ${f.expectedId}`));
  const lines = f.runOutput.split('\n').map((l) => l.trim());
  if (f.runCode !== 0) out.push(finding(`${f.engine} run failed (exit ${f.runCode}): ${excerpt(f.runOutput)}`));
  else if (!lines.includes(f.token)) out.push(finding(`the container did not print its token ${f.token}: ${excerpt(f.runOutput)}`));
  return out;
}

/** A probe that loads the test image into an engine, reads its id and runs `args` in a container of it. */
export function loadRunProbe(engine: 'docker' | 'podman', args: string): string {
  return [
    `L=$(sudo ${engine} load -i ${GUEST_IMAGE_PATH} 2>&1); echo "LOAD_CODE=$?"`,
    `echo "IMAGE_ID=$(sudo ${engine} image inspect --format '{{.Id}}' ${TEST_IMAGE_NAME} 2>/dev/null)"`,
    `R=$(sudo ${engine} run --rm ${TEST_IMAGE_NAME} ${args} 2>&1); echo "RUN_CODE=$?"`,
    'printf "LOAD_OUTPUT<<\\n%s\\n>>\\nRUN_OUTPUT<<\\n%s\\n>>\\n" "$L" "$R"',
  ].join('; ');
}

/** The text between "NAME<<" and ">>" lines of a probe's output. */
export function block(text: string, name: string): string {
  return new RegExp(`^${name}<<\\n([\\s\\S]*?)\\n>>$`, 'm').exec(text)?.[1] ?? '';
}

export async function loadAndRun(ctx: Parameters<BootCheck['run']>[0], engine: 'docker' | 'podman', args: (token: string) => string) {
  const { image, findings } = await putTestImage(ctx);
  if (findings.length) return { findings, output: '' };
  const token = `herd-qa-${randomBytes(6).toString('hex')}`;
  const r = await ctx.sh(loadRunProbe(engine, args(token)), 300_000);
  const f = parseFields(r.stdout);
  const facts: LoadRunFacts = {
    engine, loadCode: Number(f.LOAD_CODE ?? r.code), loadOutput: block(r.stdout, 'LOAD_OUTPUT'), imageId: f.IMAGE_ID ?? '',
    expectedId: image.imageId, runCode: Number(f.RUN_CODE ?? r.code), runOutput: block(r.stdout, 'RUN_OUTPUT') || r.stderr, token,
  };
  return { findings: evaluateLoadRun(facts), output: facts.runOutput };
}

export const dockerRun: BootCheck = {
  id: 'C3',
  title: 'docker loads an OCI image from a local file (no registry) and runs a container of it',
  async run(ctx) {
    return (await loadAndRun(ctx, 'docker', (token) => `/bin/busybox echo ${token}`)).findings;
  },
};
