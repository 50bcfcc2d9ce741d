import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { defineStage, type StageContext } from './stage.ts';
import { inTree, removeTreePath, writeTreeFile } from './tree-fs.ts';
import * as text from './configure-files.ts';
import { AppError } from '../errors.ts';

const options = z.object({
  name: z.string(),
  imageVersion: z.string(),
  rootUuid: z.string(),
  files: z.array(z.object({ path: z.string(), mode: z.string(), owner: z.string(), group: z.string(), contentBase64: z.string() })),
  users: z.array(z.object({ name: z.string(), groups: z.array(z.string()), shell: z.string(), sudo: z.boolean(), 'ssh-authorized-keys': z.array(z.string()) })),
  ssh: z.object({ 'password-authentication': z.boolean(), 'permit-root-login': z.string(), 'host-key-types': z.array(z.string()) }),
  services: z.object({ enable: z.array(z.string()), disable: z.array(z.string()) }),
  cloudInit: z.object({ datasources: z.array(z.string()), defaultUser: z.string(), locale: z.string() }),
  /** The release's network stack, as src/catalog/network-stacks.ts has it (data in the options, so the step id follows it). */
  network: z.object({
    packages: z.array(z.string()),
    files: z.array(z.object({ path: z.string(), content: z.string() })),
    resolvConf: z.union([z.object({ content: z.string() }), z.object({ symlink: z.string() })]),
    enable: z.array(z.string()),
    cloudInitRenderers: z.array(z.string()).min(1),
  }),
});
type Options = z.infer<typeof options>;

/** System identity, network, cloud-init, SSH policy, boot config, users, services and the recipe's own files. */
export const configureStage = defineStage({
  name: 'configure',
  produces: 'tree',
  options,
  async run(ctx, o) {
    writeIdentity(ctx.tree, o);
    writeNetwork(ctx.tree, o.network);
    writeCloudConfig(ctx.tree, o);
    writeTreeFile(ctx.tree, '/etc/fstab', text.fstab(o.rootUuid));
    writeTreeFile(ctx.tree, '/boot/grub/grub.cfg', text.grubConfig(`${o.name} ${o.imageVersion}`, o.rootUuid));
    for (const u of o.users) await addUser(ctx, u);
    for (const f of o.files) {
      writeTreeFile(ctx.tree, f.path, Buffer.from(f.contentBase64, 'base64'), {
        mode: parseInt(f.mode, 8), uid: idOf(ctx.tree, 'passwd', f.owner, f.path), gid: idOf(ctx.tree, 'group', f.group, f.path),
      });
    }
    for (const s of [...o.network.enable, ...o.services.enable]) await ctx.run(['chroot', ctx.tree, 'systemctl', 'enable', s]);
    for (const s of o.services.disable) await ctx.run(['chroot', ctx.tree, 'systemctl', 'disable', s]);
  },
});

function writeIdentity(tree: string, o: Options) {
  writeTreeFile(tree, '/etc/hostname', 'localhost\n');
  writeTreeFile(tree, '/etc/hosts', text.hostsFile);
  const osRelease = '/usr/lib/os-release';
  writeTreeFile(tree, osRelease, text.withImageFields(readFileSync(inTree(tree, osRelease), 'utf8'), o.name, o.imageVersion));
}

/** The stack's files, and resolv.conf as the stack wants it (never the build host's copy mmdebstrap left). */
function writeNetwork(tree: string, n: Options['network']) {
  for (const f of n.files) writeTreeFile(tree, f.path, f.content);
  if ('content' in n.resolvConf) {
    writeTreeFile(tree, '/etc/resolv.conf', n.resolvConf.content);
  } else {
    const path = inTree(tree, '/etc/resolv.conf');
    removeTreePath(tree, '/etc/resolv.conf');
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(n.resolvConf.symlink, path);
  }
}

function writeCloudConfig(tree: string, o: Options) {
  writeTreeFile(tree, '/etc/cloud/cloud.cfg.d/90-herd-datasources.cfg', text.datasourceConfig(o.cloudInit.datasources));
  writeTreeFile(tree, '/etc/cloud/cloud.cfg.d/91-herd-image.cfg', text.cloudInitImageConfig(o.cloudInit, o.ssh, o.network.cloudInitRenderers));
  writeTreeFile(tree, '/etc/ssh/sshd_config.d/50-herd.conf', text.sshdConfig(o.ssh));
  writeTreeFile(tree, '/etc/systemd/system/ssh.service.d/10-herd-hostkeys.conf', text.sshHostKeysDropIn);
}

export async function addUser(ctx: StageContext, u: Options['users'][number]) {
  const args = ['chroot', ctx.tree, 'useradd', '--create-home', '--shell', u.shell];
  if (u.groups.length) args.push('--groups', u.groups.join(','));
  await ctx.run([...args, u.name]);
  if (u.sudo) writeTreeFile(ctx.tree, `/etc/sudoers.d/90-herd-${u.name}`, `${u.name} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  if (u['ssh-authorized-keys'].length) {
    const uid = idOf(ctx.tree, 'passwd', u.name, 'users');
    const gid = idOf(ctx.tree, 'group', u.name, 'users');
    writeTreeFile(ctx.tree, `/home/${u.name}/.ssh/authorized_keys`, u['ssh-authorized-keys'].join('\n') + '\n', { mode: 0o600, uid, gid });
    const sshDir = inTree(ctx.tree, `/home/${u.name}/.ssh`);
    chownSync(sshDir, uid, gid);
    chmodSync(sshDir, 0o700);
  }
}

/** uid/gid by name from the image's own /etc/passwd or /etc/group (never the host's). */
export function idOf(tree: string, db: 'passwd' | 'group', name: string, forPath: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const line = readFileSync(inTree(tree, `/etc/${db}`), 'utf8').split('\n').find((l) => l.split(':')[0] === name);
  if (!line) throw new AppError('configure.unknown_owner', `${forPath}: no ${db === 'passwd' ? 'user' : 'group'} "${name}" in the image`, {
    hint: 'declare the user under users: or use an existing one such as root',
  });
  return Number(line.split(':')[2]);
}
