import type { StaticCheck, StaticContext } from '../context.ts';
import { found } from '../context.ts';

export const footprint: StaticCheck = {
  id: 'A14',
  title: 'footprint: no docs, man pages or extra locales when the recipe excludes them',
  run(ctx) {
    const fp = ctx.manifest?.footprint;
    if (!fp) return { skip: 'no manifest.json with a footprint next to the image' };
    const findings = [];
    if (fp.docs === false) findings.push(...summarise(filesUnder(ctx, '/usr/share/doc').filter((p) => !/\/copyright$/.test(p)), 'documentation'));
    if (fp.man === false) findings.push(...summarise(filesUnder(ctx, '/usr/share/man'), 'man page'));
    if (fp.locales) {
      const allowed = fp.locales.flatMap(localeDirs);
      const extra = filesUnder(ctx, '/usr/share/locale').filter((p) => {
        const dir = p.split('/')[4];
        return p.split('/').length > 5 && dir !== undefined && !allowed.includes(dir);
      });
      findings.push(...summarise(extra, 'translation outside the locales ' + JSON.stringify(fp.locales)));
    }
    return findings;
  },
};

const filesUnder = (ctx: StaticContext, dir: string) => ctx.index.under(dir).filter((e) => e.type === 'file').map((e) => e.path);

/** 'en_US.UTF-8' may keep translations in en_US and en. */
function localeDirs(locale: string): string[] {
  const base = locale.split(/[.@]/)[0] ?? locale;
  return [base, base.split('_')[0] ?? base];
}

/** A docs-full image has thousands of files: report the count and the first few. */
function summarise(paths: string[], what: string) {
  if (paths.length === 0) return [];
  const shown = paths.slice(0, 5).map((p) => found(p, `${what} present`));
  return paths.length > 5 ? [...shown, { message: `${paths.length} ${what} files in all` }] : shown;
}
