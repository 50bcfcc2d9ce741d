import type { StaticCheck, StaticContext } from '../context.ts';
import { configLines, filesIn, found } from '../context.ts';

export const packageSignatures: StaticCheck = {
  id: 'A11',
  title: 'package signature checking on',
  async run(ctx) {
    const findings = [];
    const sources = ['/etc/apt/sources.list', ...filesIn(ctx, '/etc/apt/sources.list.d', /\.(list|sources)$/)];
    for (const path of sources) {
      for (const line of await configLines(ctx, path)) {
        if (/\btrusted\s*=\s*yes\b|^Trusted:\s*yes/i.test(line)) findings.push(found(path, `unsigned repository allowed: ${line}`));
        if (/allow-insecure\s*=\s*yes|^Allow-Insecure:\s*yes/i.test(line)) findings.push(found(path, `insecure repository allowed: ${line}`));
        const signedBy = /signed-by\s*[=:]\s*(\/[^\s\]]+)/i.exec(line)?.[1];
        if (signedBy && !ctx.index.has(signedBy)) findings.push(found(path, `signed-by keyring ${signedBy} is missing`));
      }
    }
    for (const path of filesIn(ctx, '/etc/apt/apt.conf.d')) {
      for (const line of await configLines(ctx, path)) {
        if (/AllowUnauthenticated\s+"?(true|1)|AllowInsecureRepositories\s+"?(true|1)/i.test(line)) {
          findings.push(found(path, `apt signature checking weakened: ${line}`));
        }
      }
    }
    findings.push(...(await dnfFindings(ctx)));
    return findings;
  },
};

async function dnfFindings(ctx: StaticContext) {
  const files = ['/etc/dnf/dnf.conf', '/etc/yum.conf', ...filesIn(ctx, '/etc/yum.repos.d', /\.repo$/)];
  const out = [];
  for (const path of files) {
    for (const line of await configLines(ctx, path)) {
      if (/^gpgcheck\s*=\s*(0|false|no)$/i.test(line)) out.push(found(path, 'gpgcheck=0 turns off package signature checks'));
    }
  }
  return out;
}
