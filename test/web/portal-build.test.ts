import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import postcss from 'postcss';
import { precompressFolder } from '../../web/precompress-plugin.ts';
import { needsThemeClass, unusedThemes } from '../../web/unused-themes-postcss.ts';

/** The portal build's own steps (web/vite.config.ts): the theme trim and the precompressed variants. */
describe('portal build: unused PatternFly themes', () => {
  it('a selector is dropped only when it needs a theme class, not when it needs its absence', () => {
    for (const s of [':root:where(.pf-v6-theme-dark)', ':root:where(.pf-v6-theme-dark.pf-v6-theme-felt)', ':where(.pf-v6-theme-glass) .pf-v6-c-card.pf-m-glass',
      ':where(:root.pf-v6-theme-glass) .pf-v6-c-table:not(.pf-m-no-plain-on-glass)']) assert.ok(needsThemeClass(s), s);
    for (const s of [':root', '.pf-v6-c-card', ':where(:root:not(.pf-v6-theme-glass)) .pf-v6-c-table.pf-m-plain', '.pf-v6-c-toolbar:not(.pf-m-sticky)']) {
      assert.ok(!needsThemeClass(s), s);
    }
  });

  it('removes theme rules and at-rules left empty, keeps the default tokens and mixed selector lists', async () => {
    const css = [
      ':root { --pf-t--color: #fff; }',
      ':root:where(.pf-v6-theme-dark) { --pf-t--color: #000; }',
      '@media (min-width: 10px) { :where(.pf-v6-theme-glass) .pf-v6-c-page { color: red; } }',
      '@media (min-width: 20px) { :where(.pf-v6-theme-glass) .a { color: red; } .b { color: blue; } }',
      ':where(:root:not(.pf-v6-theme-glass)) .pf-v6-c-x.pf-m-plain, :where(:root.pf-v6-theme-glass) .pf-v6-c-x, .pf-v6-c-x.pf-m-flat { margin: 0; }',
    ].join('\n');
    const out = (await postcss([unusedThemes()]).process(css, { from: undefined })).css;
    assert.doesNotMatch(out, /#000|color: red|:root\.pf-v6-theme-glass/);
    assert.match(out, /:root \{ --pf-t--color: #fff; \}/);
    assert.doesNotMatch(out, /min-width: 10px/, 'an @media left empty is removed');
    assert.match(out, /@media \(min-width: 20px\) \{\s*\.b \{ color: blue; \} \}/);
    assert.match(out, /:where\(:root:not\(\.pf-v6-theme-glass\)\) \.pf-v6-c-x\.pf-m-plain,\n\.pf-v6-c-x\.pf-m-flat \{ margin: 0; \}/);
  });
});

describe('portal build: precompressed variants', () => {
  it('writes .br and .gz that decompress to the file, for text files only, big enough to gain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herd-precompress-'));
    try {
      mkdirSync(join(dir, 'assets'));
      const js = 'export const answer = 42;\n'.repeat(200);
      writeFileSync(join(dir, 'assets', 'app.js'), js);
      writeFileSync(join(dir, 'assets', 'font.woff2'), Buffer.alloc(4096, 7));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>small</title>');
      precompressFolder(dir);
      assert.deepEqual(readdirSync(join(dir, 'assets')).sort(), ['app.js', 'app.js.br', 'app.js.gz', 'font.woff2']);
      assert.deepEqual(readdirSync(dir).sort(), ['assets', 'index.html'], 'a page under 1 KB is not worth it');
      assert.equal(brotliDecompressSync(readFileSync(join(dir, 'assets', 'app.js.br'))).toString(), js);
      assert.equal(gunzipSync(readFileSync(join(dir, 'assets', 'app.js.gz'))).toString(), js);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
