import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';
import { isFalse, isTrue, mergedCloudConfig, readCloudConfig } from './cloud-config.ts';

const PASSWORD_KEYS = ['passwd', 'plain_text_passwd', 'hashed_passwd'];

export const cloudInitConfig: StaticCheck = {
  id: 'A10',
  title: 'cloud-init config not weakened (root, password SSH, plain-text passwords)',
  async run(ctx) {
    const files = await readCloudConfig(ctx);
    const findings = files.filter((f) => f.error).map((f) => found(f.path, `not valid YAML: ${f.error}`));
    const cfg = mergedCloudConfig(files);
    if (cfg.disable_root && isFalse(cfg.disable_root.value)) findings.push(found(cfg.disable_root.path, 'disable_root: false allows root SSH login'));
    if (cfg.ssh_pwauth && isTrue(cfg.ssh_pwauth.value)) findings.push(found(cfg.ssh_pwauth.path, 'ssh_pwauth enables password SSH'));
    if (cfg.password) findings.push(found(cfg.password.path, 'a plain-text password is set'));
    if (cfg.chpasswd && JSON.stringify(cfg.chpasswd.value).match(/"(list|users)"/)) {
      findings.push(found(cfg.chpasswd.path, 'chpasswd sets passwords'));
    }
    for (const f of files) findings.push(...userFindings(f.path, f.data));
    return findings;
  },
};

function userFindings(path: string, data: Record<string, unknown> | undefined) {
  const sys = data?.system_info as { default_user?: unknown } | undefined;
  const users = [sys?.default_user, ...(Array.isArray(data?.users) ? data.users : [])];
  return users
    .filter((u): u is Record<string, unknown> => !!u && typeof u === 'object')
    .flatMap((u) => {
      const name = String(u.name ?? 'default user');
      const out = [];
      if ('lock_passwd' in u && isFalse(u.lock_passwd)) out.push(found(path, `${name}: lock_passwd false`));
      for (const k of PASSWORD_KEYS) if (u[k]) out.push(found(path, `${name}: ${k} set`));
      return out;
    });
}
