import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { normaliseManifest } from '../image/manifest.ts';
import { checkInstance, result } from '../boot/boot-results.ts';
import type { ShellCheck, ShellContext } from '../boot/check.ts';
import { suites } from '../boot/suites.ts';
import { writeReports } from '../report/write-reports.ts';
import type { CheckResult, QaReport, QaReporter } from '../types.ts';
import { evaluateIdentity, IMAGE_IDENTITY, loadedRef, type IdentityFacts } from './o01-image-identity.ts';
import { CONTAINER_LIMITS, openPodmanStore, type PodmanStore } from './podman-store.ts';

export interface TestContainerOptions {
  /** image.oci.tar; manifest.json next to it names the image, its version, digest and QA suites. */
  image: string;
  outDir: string;
  reporter?: QaReporter;
  /** For tests: another podman (a fake, or one with other storage). */
  store?: () => Promise<PodmanStore>;
}

const PHASE = 'container';
const RawManifest = z.object({
  name: z.string().optional(), version: z.string().optional(),
  outputs: z.array(z.object({ file: z.string(), ociManifestDigest: z.string().optional() }).loose()).default([]),
}).loose();

/**
 * QA of an OCI container image: load it into a private podman store, start one container of it without
 * network (as a VM suite boots one instance), check what it says it is (O1), then run every check its
 * suites mark as holding for containers (the stack suite's L1 and L2) through `podman exec`. A suite that
 * needs a booted VM (container-host, hpc…) is an error here, never silently skipped.
 */
export async function testContainerImage(opts: TestContainerOptions): Promise<QaReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const image = resolve(opts.image);
  const text = await readFile(join(dirname(image), 'manifest.json'), 'utf8').catch(() => undefined);
  const raw = text === undefined ? undefined : RawManifest.safeParse(JSON.parse(text)).data;
  const manifest = text === undefined ? undefined : normaliseManifest(JSON.parse(text), basename(image));
  const results: CheckResult[] = [];
  const push = (r: CheckResult) => { results.push(r); opts.reporter?.onCheck?.(r); };
  opts.reporter?.onPhaseStart?.(PHASE);
  const store = await (opts.store ?? openPodmanStore)();
  let container: string | undefined;
  try {
    const started = performance.now();
    const facts: IdentityFacts = {
      load: { code: -1, output: '' },
      expected: { name: manifest?.name, version: raw?.version },
      expectedDigest: raw?.outputs.find((o) => o.file === basename(image))?.ociManifestDigest,
    };
    opts.reporter?.onProgress?.(PHASE, `podman load ${basename(image)}`);
    const load = await store.podman(['load', '-i', image], 600_000);
    facts.load = { code: load.code, output: `${load.stdout}\n${load.stderr}` };
    facts.ref = loadedRef(load.stdout);
    if (facts.ref && load.code === 0) {
      facts.digest = (await store.podman(['image', 'inspect', '--format', '{{.Digest}}', facts.ref])).stdout.trim() || undefined;
      // one long-lived container, like one booted instance: every check execs in it
      const run = await store.podman(['run', '-d', '--network=none', ...CONTAINER_LIMITS, '--entrypoint', 'sleep', facts.ref, 'infinity'], 300_000);
      facts.start = { code: run.code, output: `${run.stdout}\n${run.stderr}` };
      if (run.code === 0) {
        container = run.stdout.trim().split('\n').pop();
        const os = await store.podman(['exec', container!, 'cat', '/etc/os-release']);
        if (os.code === 0) facts.osRelease = os.stdout;
      }
    }
    push(result(IMAGE_IDENTITY.id, IMAGE_IDENTITY.title, PHASE, evaluateIdentity(facts), started));
    const ctx: ShellContext = {
      manifest,
      sh: (command, timeoutMs = 60_000) => store.podman(['exec', container ?? 'none', 'bash', '-c', command], timeoutMs),
    };
    for (const r of await suiteChecks(manifest?.suites ?? [], ctx, container !== undefined)) push(r);
  } finally {
    if (container) await store.podman(['rm', '-f', '-t', '0', container]);
    await store.dispose();
  }
  const report: QaReport = {
    reportVersion: 1, image, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0),
    passed: results.length > 0 && results.every((r) => r.status === 'pass' || r.status === 'skip'),
    results, boots: [],
  };
  await writeReports(opts.outDir, report);
  return report;
}

/** The container checks of every suite the manifest names ('base' is O1 here: a container does not boot). */
async function suiteChecks(names: string[], ctx: ShellContext, running: boolean): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const seen = new Set<string>();
  for (const name of names.filter((n) => n !== 'base')) {
    const suite = suites[name];
    if (!suite?.containerChecks) {
      out.push({ id: name, title: `suite ${name}`, phase: PHASE, status: 'error', findings: [], durationMs: 0,
        reason: suite ? `the ${name} suite needs a booted VM: build a disk format of this recipe to test it` : `unknown QA suite "${name}"` });
      continue;
    }
    for (const check of suite.containerChecks.filter((c) => !seen.has(c.id))) {
      seen.add(check.id);
      out.push(running ? await runShellCheck(check, ctx) : { id: check.id, title: check.title, phase: PHASE, status: 'error', findings: [], durationMs: 0, reason: 'no container is running (see O1)' });
    }
  }
  return out;
}

const runShellCheck = (check: ShellCheck, ctx: ShellContext) => checkInstance(check, ctx, PHASE);
