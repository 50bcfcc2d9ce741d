import type { Recipe } from '../recipe/schema.ts';

/**
 * What a container image of a distribution is made of, in place of the bootable base set
 * (distributions.ts basePackages): a container has no kernel, boot loader, initramfs, init system, udev,
 * cloud-init or SSH server: the host's runtime provides the kernel, /dev, the network and the process
 * supervisor. Its tree is a separate rootfs (mmdebstrap minbase + these packages + the recipe's), so
 * dpkg's database lists exactly what the image holds.
 */
export interface ContainerBase {
  /** Installed on top of the minbase variant (Essential + apt). */
  packages: string[];
  /** Files every container tree gets (how Debian's own container images behave inside a build). */
  files: Array<{ path: string; content: string; mode: string }>;
  /** The image config's Env and Cmd. */
  env: string[];
  cmd: string[];
}

export const containerBases: Record<Recipe['distribution']['name'], ContainerBase> = {
  debian: {
    // TLS trust and /etc/services + /etc/protocols: what an application expects of any base image
    packages: ['ca-certificates', 'netbase'],
    files: [
      {
        // no init system runs in a container: a package installed in a Dockerfile must not try to start its daemon
        path: '/usr/sbin/policy-rc.d',
        content: '#!/bin/sh\n# Written by Herd: no service starts while packages are installed in a container build.\nexit 101\n',
        mode: '0755',
      },
      {
        // every layer a Dockerfile adds with apt stays small: no .deb files or package caches are left behind
        path: '/etc/apt/apt.conf.d/docker-clean',
        content: '# Written by Herd: drop downloaded packages and caches after apt runs (as Debian\'s container images do).\n' +
          'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
          'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
          'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
        mode: '0644',
      },
    ],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    cmd: ['/bin/bash'],
  },
};

/** The repository part of a container image's name: base-oci → herd-base, stack-python-oci → herd-stack-python. */
export function containerRepository(recipeName: string): string {
  return `herd-${recipeName.replace(/-oci$/, '')}`;
}

/** Where org.opencontainers.image.source points: the recipe in Herd's repository (set the real URL here once it is public). */
export const RECIPE_SOURCE_BASE = 'https://herd.invalid/recipes/';
