import type { Recipe } from '../recipe/schema.ts';

/** glibc converters kept by iconv-modules: common (file names without .so; UTF-8 and ASCII are built in). */
export const COMMON_GCONV = ['UTF-16', 'UTF-32', 'UTF-7', 'UNICODE', 'ISO8859-*', 'CP125?', 'KOI8-*'];

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
  if (!f.man) {
    // the section folders stay (empty): update-alternatives puts man-page slave links there and fails
    // without them (openjdk's postinst: "error creating symbolic link .../man1/java.1.gz.dpkg-tmp")
    out.push('path-exclude=/usr/share/man/*', 'path-include=/usr/share/man/man[1-9]', 'path-exclude=/usr/share/info/*');
  }
  out.push('path-exclude=/usr/share/locale/*', 'path-include=/usr/share/locale/locale.alias');
  for (const l of [...f.locales].sort()) out.push(`path-include=/usr/share/locale/${l}/*`, `path-include=/usr/share/locale/${l}_*/*`);
  if (f.locales.length === 0) {
    // Locale sources are only needed by locale-gen; C.UTF-8 ships compiled with libc.
    out.push('path-exclude=/usr/share/i18n/*', 'path-include=/usr/share/i18n/SUPPORTED');
  }
  if (f['iconv-modules'] === 'common') {
    // the converter modules only: the gconv-modules configuration stays, so a missing one fails as "unsupported"
    out.push('path-exclude=/usr/lib/*/gconv/*.so');
    for (const keep of COMMON_GCONV) out.push(`path-include=/usr/lib/*/gconv/${keep}.so`);
  }
  if (!f.hwdb) out.push('path-exclude=/usr/lib/udev/hwdb.d/*', 'path-exclude=/lib/udev/hwdb.d/*');
  // the release's module folder (bookworm: /lib/modules, trixie: /usr/lib/modules): dpkg matches the packaged path
  // an allow-list first (the last matching rule wins in dpkg), then the exclusions carve folders out of it
  if (f['kernel-modules-include'].length) {
    out.push(`path-exclude=${moduleDir}/*/kernel/*`);
    for (const p of [...new Set(f['kernel-modules-include'])].sort()) {
      out.push(`path-include=${moduleDir}/*/kernel/${p}/*`, `path-include=${moduleDir}/*/kernel/${p}.ko*`);
    }
  }
  for (const p of [...f['kernel-modules-exclude']].sort()) out.push(`path-exclude=${moduleDir}/*/kernel/${p}/*`, `path-exclude=${moduleDir}/*/kernel/${p}.ko*`);
  return out;
}
