import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';
import type { FsEntry } from '../../image/fs-index.ts';

/** setuid/setgid programs a Debian or Fedora cloud image legitimately ships. */
const SUID_ALLOWED = new Set([
  '/usr/bin/su', '/usr/bin/mount', '/usr/bin/umount', '/usr/bin/passwd', '/usr/bin/chsh', '/usr/bin/chfn',
  '/usr/bin/gpasswd', '/usr/bin/newgrp', '/usr/bin/sudo', '/usr/bin/chage', '/usr/bin/expiry', '/usr/bin/crontab',
  '/usr/bin/wall', '/usr/bin/write', '/usr/bin/bsd-write', '/usr/bin/ssh-agent', '/usr/bin/dotlockfile', '/usr/bin/pkexec',
  '/usr/bin/fusermount', '/usr/bin/fusermount3', '/usr/bin/newuidmap', '/usr/bin/newgidmap', '/usr/bin/at',
  '/usr/sbin/unix_chkpwd', '/usr/sbin/pam_extrausers_chkpwd', '/usr/lib/openssh/ssh-keysign',
  '/usr/lib/dbus-1.0/dbus-daemon-launch-helper', '/usr/lib/polkit-1/polkit-agent-helper-1',
  '/usr/libexec/openssh/ssh-keysign', '/usr/libexec/polkit-agent-helper-1', '/usr/sbin/pam_timestamp_check',
]);
const SECRET_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'];
const VIRTUAL = /^\/(proc|sys|dev|run)\//;

export const permissions: StaticCheck = {
  id: 'A12',
  title: 'no readable shadow, world-writable files, unsticky public dirs or unexpected setuid',
  run(ctx) {
    const entries = [...ctx.index.all()].filter((e) => !VIRTUAL.test(e.path));
    const secrets = SECRET_FILES.map((p) => ctx.index.get(p)).filter((e): e is FsEntry => !!e && (e.perm & 0o007) !== 0);
    return [
      ...secrets.map((e) => found(e.path, `readable by others (mode ${octal(e.perm)})`)),
      ...entries.filter((e) => e.type === 'file' && e.perm & 0o002).map((e) => found(e.path, `world-writable file (mode ${octal(e.perm)})`)),
      ...entries
        .filter((e) => e.type === 'dir' && e.perm & 0o002 && !(e.perm & 0o1000))
        .map((e) => found(e.path, `world-writable directory without the sticky bit (mode ${octal(e.perm)})`)),
      ...entries
        .filter((e) => e.type === 'file' && e.perm & 0o6000 && !SUID_ALLOWED.has(e.path.replace(/^\/(s?bin)\//, '/usr/$1/')))
        .map((e) => found(e.path, `unexpected setuid/setgid program (mode ${octal(e.perm)})`)),
    ];
  },
};

const octal = (n: number) => n.toString(8).padStart(4, '0');
