import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';
import { duplicates, readGroup, readPasswd, readShadow } from './accounts.ts';

export const accounts: StaticCheck = {
  id: 'A5',
  title: 'no empty passwords, one UID 0, no duplicate users or ids',
  async run(ctx) {
    const [passwd, shadow, group] = [await readPasswd(ctx), (await readShadow(ctx)) ?? [], await readGroup(ctx)];
    return [
      ...shadow.filter((u) => u.password === '').map((u) => found('/etc/shadow', `user ${u.name} has an empty password`)),
      ...passwd.filter((u) => u.password === '').map((u) => found('/etc/passwd', `user ${u.name} has an empty password`)),
      ...passwd
        .filter((u) => u.password !== 'x' && u.password !== '')
        .map((u) => found('/etc/passwd', `user ${u.name} keeps a password hash in /etc/passwd`)),
      ...passwd.filter((u) => u.uid === 0 && u.name !== 'root').map((u) => found('/etc/passwd', `user ${u.name} has UID 0`)),
      ...duplicates(passwd.map((u) => u.name)).map((n) => found('/etc/passwd', `duplicate user name ${n}`)),
      ...duplicates(passwd.map((u) => u.uid)).map((id) => found('/etc/passwd', `duplicate UID ${id}`)),
      ...duplicates(group.map((g) => g.name)).map((n) => found('/etc/group', `duplicate group name ${n}`)),
      ...duplicates(group.map((g) => g.gid)).map((id) => found('/etc/group', `duplicate GID ${id}`)),
    ];
  },
};
