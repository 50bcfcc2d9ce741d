import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { clampTree } from './clamp-times.ts';
import { z } from 'zod';
import { defineStage } from './stage.ts';
import { existsInTree, inTree, removeTreePath, writeTreeFile } from './tree-fs.ts';
import { readDpkgStatus } from '../backends/package-managers/dpkg-status.ts';
import { treeBytes } from '../backends/fs/tree-walk.ts';

const options = z.object({
  rules: z.literal(1),
  sourceDateEpoch: z.number(),
  /** The release's own leftovers (src/catalog/distributions.ts): removed, and folders emptied. */
  remove: z.array(z.string()).default([]),
  empty: z.array(z.string()).default([]),
});

/** Files that must never ship: per-instance identity, secrets, and build leftovers. */
const REMOVE = [
  '/var/lib/dbus/machine-id', '/var/lib/systemd/random-seed', '/var/cache/ldconfig/aux-cache',
  '/root/.ssh', '/root/.bash_history', '/root/.wget-hsts', '/root/.cache',
  '/etc/passwd-', '/etc/group-', '/etc/shadow-', '/etc/gshadow-', '/etc/subuid-', '/etc/subgid-',
  // munge's postinst makes a key: every instance (and anyone with the image) would share it
  '/etc/munge/munge.key',
];
/** Folders emptied but kept (packages expect them to exist). */
const EMPTY = ['/var/lib/apt/lists', '/var/cache/apt/archives', '/var/lib/cloud', '/tmp', '/var/tmp'];

/** Makes the tree a template: every instance made from it gets its own identity at first boot. */
export const sealStage = defineStage({
  name: 'seal',
  produces: 'tree',
  options,
  async run(ctx, o) {
    const t = ctx.tree;
    for (const name of list(t, '/etc/ssh')) if (name.startsWith('ssh_host_')) removeTreePath(t, `/etc/ssh/${name}`);
    writeTreeFile(t, '/etc/machine-id', '', { mode: 0o444 });
    for (const p of [...REMOVE, ...o.remove]) removeTreePath(t, p);
    for (const dir of [...EMPTY, ...o.empty]) emptyFolder(t, dir);
    for (const f of list(t, '/var/cache/apt')) if (f.endsWith('.bin')) removeTreePath(t, `/var/cache/apt/${f}`);
    for (const f of list(t, '/var/cache/debconf')) if (f.endsWith('-old')) removeTreePath(t, `/var/cache/debconf/${f}`);
    for (const f of list(t, '/var/lib/dpkg')) if (f.endsWith('-old')) removeTreePath(t, `/var/lib/dpkg/${f}`);
    if (existsInTree(t, '/var/log')) emptyLogs(t, '/var/log');
    lockRoot(t);
    markUpdated(t, o.sourceDateEpoch);
    clampTree(t, o.sourceDateEpoch);
    ctx.meta.packages = readDpkgStatus(t);
    ctx.meta.treeBytes = treeBytes(t);
  },
});

/** Entries of a folder in the tree; none when the folder does not exist (a minimal tree may lack it). */
function list(tree: string, dir: string): string[] {
  return existsInTree(tree, dir) ? readdirSync(inTree(tree, dir)) : [];
}

function emptyFolder(tree: string, dir: string) {
  if (!existsInTree(tree, dir)) return;
  for (const name of readdirSync(inTree(tree, dir))) {
    // apt needs lists/partial and archives/partial to exist
    if (name === 'partial' || name === 'lock') continue;
    removeTreePath(tree, `${dir}/${name}`);
  }
}

/** Log files go, log folders stay (journald keeps its persistent mode when /var/log/journal exists). */
function emptyLogs(tree: string, dir: string) {
  for (const name of readdirSync(inTree(tree, dir))) {
    const path = `${dir}/${name}`;
    if (lstatSync(inTree(tree, path)).isDirectory()) emptyLogs(tree, path);
    else removeTreePath(tree, path);
  }
}

/** root gets no password and no way to get one by login: `!*` (locked, no hash). */
function lockRoot(tree: string) {
  const shadow = readFileSync(inTree(tree, '/etc/shadow'), 'utf8').split('\n').map((line) => {
    const f = line.split(':');
    if (f[0] === 'root') f[1] = '!*';
    return f.join(':');
  });
  writeTreeFile(tree, '/etc/shadow', shadow.join('\n'), { mode: 0o640, uid: 0, gid: gidOfShadow(tree) });
}

function gidOfShadow(tree: string): number {
  const line = readFileSync(inTree(tree, '/etc/group'), 'utf8').split('\n').find((l) => l.startsWith('shadow:'));
  return line ? Number(line.split(':')[2]) : 0;
}

/**
 * Package scripts already built ld.so.cache and the journal catalog. Without these stamps systemd takes
 * /usr as newly updated (ConditionNeedsUpdate) and rebuilds both at first boot, seconds under emulation.
 * The stamp holds the clamped time of /usr, the format systemd-update-done writes.
 */
function markUpdated(tree: string, epoch: number) {
  const text = `# Written by Herd at build time, as systemd-update-done would: /etc and /var match /usr.\nTIMESTAMP_NSEC=${epoch}000000000\n`;
  for (const dir of ['/etc', '/var']) writeTreeFile(tree, `${dir}/.updated`, text);
}
