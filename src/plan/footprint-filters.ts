import type { Recipe } from '../recipe/schema.ts';

/**
 * dpkg path filters for the footprint settings: files never land on disk, so no later step has to
 * delete them (and dpkg's database stays truthful about what is installed).
 */
export function dpkgFilters(f: Recipe['footprint'], moduleDir: string): string[] {
  const out: string[] = [];
  if (!f.docs) {
    out.push('path-exclude=/usr/share/doc/*', 'path-include=/usr/share/doc/*/copyright');
    out.push('path-exclude=/usr/share/lintian/*', 'path-exclude=/usr/share/bug/*');
  }
  if (!f.man) out.push('path-exclude=/usr/share/man/*', 'path-exclude=/usr/share/info/*');
  out.push('path-exclude=/usr/share/locale/*', 'path-include=/usr/share/locale/locale.alias');
  for (const l of [...f.locales].sort()) out.push(`path-include=/usr/share/locale/${l}/*`, `path-include=/usr/share/locale/${l}_*/*`);
  if (f.locales.length === 0) {
    // Locale sources are only needed by locale-gen; C.UTF-8 ships compiled with libc.
    out.push('path-exclude=/usr/share/i18n/*', 'path-include=/usr/share/i18n/SUPPORTED');
  }
  if (!f.hwdb) out.push('path-exclude=/usr/lib/udev/hwdb.d/*', 'path-exclude=/lib/udev/hwdb.d/*');
  // the release's module folder (bookworm: /lib/modules, trixie: /usr/lib/modules): dpkg matches the packaged path
  for (const dir of [...f['kernel-modules-exclude']].sort()) out.push(`path-exclude=${moduleDir}/*/kernel/${dir}/*`);
  return out;
}
