import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The portal shows text people wrote (recipes, descriptions, review comments): React escapes it as long as
 * no code hands a string to the browser's HTML parser. The browser test (test/e2e) checks that payloads
 * stay inert on the pages it visits; this check covers every component, visited or not.
 */
const WEB = join(import.meta.dirname, '../../web/src');
const RAW_HTML = /dangerouslySetInnerHTML|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write\b|createContextualFragment|new\s+DOMParser/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.(tsx?|jsx?)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('portal markup', () => {
  it('no component parses a string as HTML', () => {
    const files = sources(WEB);
    assert.ok(files.some((f) => f.endsWith('TemplatePage.tsx')), 'the scan sees the pages');
    const hits = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((line, i) => (RAW_HTML.test(line) ? [`${relative(WEB, f)}:${i + 1}: ${line.trim()}`] : [])));
    assert.deepEqual(hits, []);
  });

  it('the pattern catches each way of doing it', () => {
    for (const line of ['<div dangerouslySetInnerHTML={{ __html: x }} />', 'el.innerHTML = s', 'el.insertAdjacentHTML("beforeend", s)', 'document.write(s)', 'new DOMParser()']) {
      assert.match(line, RAW_HTML);
    }
    assert.doesNotMatch('<pre>{revision.recipe}</pre>', RAW_HTML);
  });
});
