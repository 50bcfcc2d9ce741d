import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';
import { effectiveSshd } from './sshd-config.ts';

export const sshdPolicy: StaticCheck = {
  id: 'A15',
  title: 'sshd configured for keys only (no password, keyboard-interactive or root login)',
  async run(ctx) {
    if (!ctx.index.has('/etc/ssh/sshd_config')) return { skip: 'no OpenSSH server in the image' };
    const s = await effectiveSshd(ctx);
    const wantRoot = ctx.manifest?.ssh?.rootLogin ?? 'no';
    const rootOk = wantRoot === 'no' ? ['no'] : ['no', 'prohibit-password', 'without-password'];
    const findings = [];
    if (s.passwordauthentication!.value !== 'no') findings.push(found(s.passwordauthentication!.path, `PasswordAuthentication is ${s.passwordauthentication!.value}`));
    if (s.kbdinteractiveauthentication!.value !== 'no') {
      findings.push(found(s.kbdinteractiveauthentication!.path, `KbdInteractiveAuthentication is ${s.kbdinteractiveauthentication!.value}`));
    }
    if (!rootOk.includes(s.permitrootlogin!.value)) findings.push(found(s.permitrootlogin!.path, `PermitRootLogin is ${s.permitrootlogin!.value}, expected ${wantRoot}`));
    if (s.permitemptypasswords!.value !== 'no') findings.push(found(s.permitemptypasswords!.path, 'PermitEmptyPasswords is on'));
    return findings;
  },
};
