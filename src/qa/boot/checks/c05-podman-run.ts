import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';
import { loadAndRun } from './c03-docker-run.ts';

/** Podman confines its containers with its own generated profile (containers-default-*); unconfined is a failure. */
export function evaluatePodmanLabel(runOutput: string) {
  const label = /^LABEL=(.*)$/m.exec(runOutput)?.[1]?.trim() ?? '';
  if (!label) return [finding('the podman container printed no AppArmor label')];
  if (label === 'unconfined' || !label.endsWith('(enforce)')) return [finding(`the podman container runs under AppArmor label "${label}", not an enforced profile`)];
  return [];
}

export const podmanRun: BootCheck = {
  id: 'C5',
  title: 'podman loads the same image from the file and runs it, confined by AppArmor',
  async run(ctx) {
    const r = await loadAndRun(ctx, 'podman', (token) => `/bin/busybox sh -c 'echo ${token}; echo LABEL=$(/bin/busybox cat /proc/self/attr/current)'`);
    return r.findings.length ? r.findings : evaluatePodmanLabel(r.output);
  },
};
