import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineStage } from './stage.ts';
import { inTree, writeTreeFile } from './tree-fs.ts';
import * as text from './configure-files.ts';
import { addUser, idOf } from './configure.ts';

const file = z.object({ path: z.string(), mode: z.string(), owner: z.string(), group: z.string(), contentBase64: z.string() });
const options = z.object({
  name: z.string(),
  imageVersion: z.string(),
  /** The distribution's container files (src/catalog/container-base.ts), then the recipe's own. */
  files: z.array(file),
  users: z.array(z.object({ name: z.string(), groups: z.array(z.string()), shell: z.string(), sudo: z.boolean(), 'ssh-authorized-keys': z.array(z.string()) })),
});

/**
 * The configure stage of a container tree. Only what a container image carries: its identity in
 * os-release, the recipe's files and users. No fstab, boot loader, cloud-init, SSH policy, network
 * stack or units: the runtime owns the kernel, /dev, the network, /etc/hostname, /etc/hosts and
 * /etc/resolv.conf (it mounts its own over them), and runs no init system.
 */
export const containerStage = defineStage({
  name: 'container',
  produces: 'tree',
  options,
  async run(ctx, o) {
    const osRelease = '/usr/lib/os-release';
    writeTreeFile(ctx.tree, osRelease, text.withImageFields(readFileSync(inTree(ctx.tree, osRelease), 'utf8'), o.name, o.imageVersion));
    // the files a runtime mounts over: never the build host's copies mmdebstrap left
    writeTreeFile(ctx.tree, '/etc/hostname', 'localhost\n');
    writeTreeFile(ctx.tree, '/etc/hosts', text.hostsFile);
    writeTreeFile(ctx.tree, '/etc/resolv.conf', '');
    for (const u of o.users) await addUser(ctx, u);
    for (const f of o.files) {
      writeTreeFile(ctx.tree, f.path, Buffer.from(f.contentBase64, 'base64'), {
        mode: parseInt(f.mode, 8), uid: idOf(ctx.tree, 'passwd', f.owner, f.path), gid: idOf(ctx.tree, 'group', f.group, f.path),
      });
    }
  },
});
