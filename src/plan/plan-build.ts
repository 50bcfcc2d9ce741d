import { createHash } from 'node:crypto';
import type { LoadedRecipe } from '../recipe/load.ts';
import type { OutputFormat } from '../recipe/schema.ts';
import type { Resolved } from '../resolve/resolve.ts';
import { debArch, distributions, releaseOf } from '../catalog/distributions.ts';
import { networkStacks } from '../catalog/network-stacks.ts';
import { platforms, type Platform } from '../catalog/platforms.ts';
import { formats } from '../catalog/formats.ts';
import { stepId } from './hash.ts';
import { stageVersions } from './stage-versions.ts';
import { diskIdentity } from './identity.ts';
import { dpkgFilters } from './footprint-filters.ts';
import type { Plan, PlanOutput, PlanStep } from './plan-types.ts';
import type { PlanInputs } from './plan-inputs.ts';
import { AppError } from '../errors.ts';
import { basename } from 'node:path';
import { containerBases, containerRepository, RECIPE_SOURCE_BASE } from '../catalog/container-base.ts';
import { isoTime, tagOf } from '../catalog/oci-names.ts';

/**
 * recipe + pinned inputs → the list of steps. Pure: no file, network or cache is read here (the caller
 * reads them first, see plan-inputs.ts), so the same inputs always give the same plan and ids.
 */
export function planBuild(loaded: LoadedRecipe, resolved: Resolved, inputs: PlanInputs): Plan {
  const r = loaded.recipe;
  const dist = distributions[r.distribution.name];
  // lint refuses a release missing from the table, so a loaded recipe always has one
  const release = releaseOf(r.distribution)!;
  const network = networkStacks[release.network];
  const ids = diskIdentity(loaded.imageDigest);
  const steps: PlanStep[] = [];
  const add = (stage: string, title: string, options: unknown, inputs: string[]): string => {
    const id = stepId(`${stage}@${stageVersions[stage] ?? 0}`, options, inputs);
    if (!steps.some((s) => s.id === id)) steps.push({ id, stage, title, options, inputs });
    return id;
  };

  const epoch = resolved.sourceDateEpoch;
  const recipeFiles = r.files.map((f) => ({ path: f.path, mode: f.mode, owner: f.owner, group: f.group,
    contentBase64: (f.content !== undefined ? Buffer.from(f.content) : sourceBytes(inputs, f.source!)).toString('base64') }));
  const vmFormats = r.outputs.filter((f) => f !== 'oci');
  const rootfsOptions = (packages: string[], locked: Resolved['packages'], bootable: boolean) => ({
    packageManager: dist.packageManager, codename: resolved.codename, architecture: debArch(r.architecture),
    sources: resolved.archive.sources, keyring: resolved.archive.keyring, packages,
    dpkgFilters: dpkgFilters(r.footprint, release.moduleDir), archiveState: resolved.suites.map((s) => `${s.uri} ${s.suite} ${s.inReleaseSha256}`),
    sourceDateEpoch: epoch,
    // only when set, so that recipes without it keep their step ids
    ...(bootable && r.footprint['initramfs-modules'].length ? { earlyFiles: release.initramfsFiles(r.footprint['initramfs-modules']) } : {}),
    // a lock's package set is part of the id: a locked build never reuses a rootfs resolved live, nor the reverse
    locked,
  });
  const footprintOptions = { docs: r.footprint.docs, man: r.footprint.man, locales: r.footprint.locales, initramfsModules: r.footprint['initramfs-modules'] };
  const sealOptions = { rules: 1, sourceDateEpoch: epoch, ...release.seal };

  // The bootable tree (kernel, boot set, cloud-init, SSH): only when a disk format is asked for.
  let seal: string | undefined;
  if (vmFormats.length) {
    const packages = [...new Set([...release.basePackages, ...network.packages, release.kernelPackage(r.footprint.kernel, r.architecture), ...r.packages])].sort();
    const rootfs = add('rootfs', 'install packages', rootfsOptions(packages, resolved.packages, true), []);
    const configure = add('configure', 'configure system', {
      name: r.name, imageVersion: resolved.imageVersion, rootUuid: ids.rootUuid, files: recipeFiles,
      users: r.users, ssh: r.ssh, services: r.services,
      cloudInit: { datasources: r['cloud-init'].datasources, defaultUser: r['cloud-init']['default-user'], locale: r['cloud-init'].locale },
      network,
    }, [rootfs]);
    const footprint = add('footprint', 'trim footprint', footprintOptions, [configure]);
    seal = add('seal', 'seal image', sealOptions, [footprint]);
  }

  // The container tree: its own rootfs without the bootable set, so dpkg's database matches the files
  // (filtering the disk's tree would leave dpkg listing a kernel that is not there).
  let ociImage: string | undefined;
  let ociSeal: string | undefined;
  if (r.outputs.includes('oci')) {
    const base = containerBases[r.distribution.name];
    const packages = [...new Set([...base.packages, ...r.packages])].sort();
    // the lock pins one package set: that of the disk when the recipe makes both, so the container's is resolved live
    const rootfs = add('rootfs', 'install packages (container)', rootfsOptions(packages, vmFormats.length ? undefined : resolved.packages, false), []);
    const container = add('container', 'configure container', {
      name: r.name, imageVersion: resolved.imageVersion, users: r.users,
      files: [...base.files.map((f) => ({ path: f.path, mode: f.mode, owner: 'root', group: 'root', contentBase64: Buffer.from(f.content).toString('base64') })), ...recipeFiles],
    }, [rootfs]);
    const footprint = add('footprint', 'trim footprint (container)', footprintOptions, [container]);
    ociSeal = add('seal', 'seal container tree', sealOptions, [footprint]);
    const labels: Record<string, string> = {
      'org.opencontainers.image.title': r.catalog?.title ?? r.name,
      'org.opencontainers.image.description': r.description,
      'org.opencontainers.image.version': resolved.imageVersion,
      'org.opencontainers.image.created': isoTime(epoch),
      'org.opencontainers.image.source': `${RECIPE_SOURCE_BASE}${basename(loaded.chain[0] ?? `${r.name}.yaml`)}`,
      // the recipe digest: what the image was built from (Herd's recipes are its source revision)
      'org.opencontainers.image.revision': loaded.digest,
    };
    ociImage = add('oci', 'write OCI image', {
      architecture: debArch(r.architecture), os: 'linux', sourceDateEpoch: epoch, env: base.env, cmd: base.cmd, labels,
      createdBy: `herd build ${r.name} ${resolved.imageVersion}: mmdebstrap --variant=minbase ${packages.join(' ')}`,
      refName: `${containerRepository(r.name)}:${tagOf(resolved.imageVersion)}`,
    }, [ociSeal]);
  }

  const diskOptions = { size: r.disk.size, boot: r.disk.boot, filesystem: r.disk.filesystem, ...ids, sourceDateEpoch: epoch };
  const disks = new Map<string, string>();
  const diskFor = (platform: string): string => {
    if (disks.has(platform)) return disks.get(platform)!;
    let tree = seal!;
    if (platform !== 'generic') {
      const datasources = r['cloud-init'].platforms[platform] ?? platforms[platform as Platform];
      tree = add('platform', `cloud-init for ${platform}`, { platform, datasources, sourceDateEpoch: epoch }, [seal!]);
    }
    const id = add('disk', platform === 'generic' ? 'assemble disk' : `assemble disk (${platform})`, diskOptions, [tree]);
    disks.set(platform, id);
    return id;
  };

  const outputs: PlanOutput[] = r.outputs.map((format: OutputFormat) => {
    const spec = formats[format];
    if (format === 'oci') return { format, file: spec.file, step: ociImage!, platform: spec.platform };
    const disk = diskFor(spec.platform);
    const step = format === 'raw' ? disk : add('convert', `convert to ${format}`, { format, ...spec.options, sourceDateEpoch: epoch }, [disk]);
    return { format, file: spec.file, step, platform: spec.platform };
  });

  return {
    schemaVersion: 1, name: r.name, imageVersion: resolved.imageVersion, recipeDigest: loaded.digest,
    sourceDateEpoch: resolved.sourceDateEpoch, steps, outputs,
    // the disk's tree when there is one (its packages are the image's); else the container's
    treeStep: (seal ?? ociSeal)!,
  };
}

function sourceBytes(inputs: PlanInputs, source: string): Buffer {
  const bytes = inputs.fileSources[source];
  if (!bytes) throw new AppError('plan.input_missing', `the planner was not given the content of ${source}`, { kind: 'internal' });
  return bytes;
}

export function planDigest(plan: Plan): string {
  return createHash('sha256').update(plan.steps.map((s) => s.id).join('\n')).digest('hex');
}
