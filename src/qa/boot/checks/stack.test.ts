import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateRuntime, versionToken } from './l01-stack-runtime.ts';
import { evaluateHello, helloScript, parseHello } from './l02-stack-hello.ts';
import { stackSpecs } from './stack-hello-apps.ts';
import { QA_SUITE_NAMES } from '../../../catalog/qa-suite-names.ts';
import { resolveSuites } from '../suites.ts';
import { qaView } from '../../../manifest/manifest-schema.ts';

// Outputs recorded in booted stack images (Debian 13 unless noted) and from broken variants.
const RUNTIME = {
  python: 'Python 3.13.5\n',
  python311: 'Python 3.11.2\n',
  ruby: '3.3.8\n',
  php: '8.4.11\n',
  node: '20.19.2\n',
  java: 'javac 21.0.8\n',
  perl: '5.40.1\n',
  go: 'go1.24.4\n',
};
const runtime = (language: string, expected: string, output: string, code = 0) =>
  evaluateRuntime({ language, expected, command: stackSpecs[language]!.versionCommand, code, output });

const OK = (name: string) => `STATUS 200\nBODY hello from ${name}\n\n---LOG---\n127.0.0.1 - - [01/Dec/2026 02:40:11] "GET / HTTP/1.1" 200 -`;
// stack-python-broken (python3-flask removed): the server dies at import
const FLASK_MISSING = 'STATUS none the server exited\n\n---LOG---\nTraceback (most recent call last):\n  File "/tmp/herd-stack-Qx81Zt/app.py", line 3, in <module>\n    from flask import Flask\nModuleNotFoundError: No module named \'flask\'';
// Django without ALLOWED_HOSTS for 127.0.0.1 answers 400
const DJANGO_400 = 'STATUS 400\nBODY <!doctype html> <html lang="en"> <head>   <title>Bad Request (400)</title> </head>\n\n---LOG---\nInvalid HTTP_HOST header';
const SLOW = 'STATUS none no answer within 120 s (last: <urlopen error [Errno 111] Connection refused>)\n\n---LOG---\n';

describe('stack suite (L1, L2)', () => {
  it('is registered under the name recipes use', () => {
    assert.ok((QA_SUITE_NAMES as readonly string[]).includes('stack'));
    assert.deepEqual(resolveSuites(['stack']).checks.filter((c) => c.id.startsWith('L')).map((c) => c.id), ['L1', 'L2']);
  });

  it("QA's view of the manifest carries catalog.stack, and leaves out one that does not fit", () => {
    const stack = { language: 'python', version: '3.13', frameworks: ['Django'] };
    assert.deepEqual(qaView({ catalog: { title: 't', stack } }).stack, stack);
    assert.equal(qaView({ catalog: { stack: { language: 'python' } } }).stack, undefined);
    assert.equal('stack' in qaView({}), false);
  });

  it('L1 reads the version token of each runtime and accepts the catalogued version', () => {
    assert.equal(versionToken('go1.24.4'), '1.24.4');
    assert.equal(versionToken('javac 21.0.8'), '21.0.8');
    assert.deepEqual(runtime('python', '3.13', RUNTIME.python), []);
    assert.deepEqual(runtime('ruby', '3.3', RUNTIME.ruby), []);
    assert.deepEqual(runtime('php', '8.4', RUNTIME.php), []);
    assert.deepEqual(runtime('node', '20', RUNTIME.node), []);
    assert.deepEqual(runtime('java', '21', RUNTIME.java), []);
    assert.deepEqual(runtime('perl', '5.40', RUNTIME.perl), []);
    assert.deepEqual(runtime('go', '1.24', RUNTIME.go), []);
  });

  it('L1 fails a missing runtime, a wrong version, and a prefix that only looks right', () => {
    assert.match(runtime('python', '3.13', 'bash: line 1: python3: command not found\n', 127)[0]!.message, /missing or broken.*exited 127.*command not found/);
    assert.match(runtime('java', '21', 'bash: line 1: javac: command not found\n', 127)[0]!.message, /java runtime missing/);
    // a Debian 12 image published as the Debian 13 stack
    assert.match(runtime('python', '3.13', RUNTIME.python311)[0]!.message, /python is 3\.11\.2, but the catalogue says 3\.13/);
    assert.equal(runtime('node', '2', RUNTIME.node).length, 1, '20.19.2 is not version 2');
    assert.match(runtime('perl', '5.40', '')[0]!.message, /printed no version/);
  });

  it('L2 parses the probe and passes when every app answers its greeting', () => {
    assert.deepEqual(parseHello(OK('Flask')), { status: 200, body: 'hello from Flask', note: '', log: '127.0.0.1 - - [01/Dec/2026 02:40:11] "GET / HTTP/1.1" 200 -' });
    const runs = ['http.server', 'Django', 'Flask', 'Pyramid'].map((name) => ({ name, code: 0, output: OK(name) }));
    assert.deepEqual(evaluateHello({ language: 'python', frameworks: ['Django', 'Flask', 'Pyramid'], runs }), []);
  });

  it('L2 fails a framework that is missing, answers wrongly, never answers, or has no hello-world', () => {
    const fails = evaluateHello({ language: 'python', frameworks: ['Django', 'Flask', 'Bottle'], runs: [
      { name: 'http.server', code: 0, output: SLOW.replace('120', '60') },
      { name: 'Django', code: 0, output: DJANGO_400 },
      { name: 'Flask', code: 0, output: FLASK_MISSING },
      { name: 'Pyramid', code: 0, output: OK('Flask') },
    ] }).map((f) => f.message);
    assert.equal(fails.length, 5);
    assert.match(fails[0]!, /"Bottle" but the stack suite has no hello-world/);
    assert.match(fails[1]!, /http\.server hello-world did not answer HTTP \(no answer within 60 s/);
    assert.match(fails[2]!, /Django hello-world answered 400/);
    assert.match(fails[3]!, /Flask hello-world did not answer HTTP \(the server exited\).*No module named 'flask'/);
    assert.match(fails[4]!, /Pyramid hello-world answered 200 "hello from Flask", expected 200 "hello from Pyramid"/);
    assert.match(evaluateHello({ language: 'cobol', frameworks: [], runs: [] })[0]!.message, /no stack QA for language "cobol"/);
  });

  it('every recipe language has a spec whose apps greet by their own name', () => {
    for (const [lang, spec] of Object.entries(stackSpecs)) {
      for (const app of [spec.plain, ...Object.values(spec.frameworks)]) {
        assert.ok(Object.values(app.files).some((f) => f.includes(`hello from ${app.name}`)), `${lang}/${app.name}`);
      }
    }
  });

  // The script is shell + python3 + the app's runtime: run it for real on this host with the runtimes it has.
  const bash = (script: string) => spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000 });
  const hasHostPython = spawnSync('python3', ['--version']).status === 0;
  it('L2 script: the standard library apps of python and node answer on the host', { skip: !hasHostPython && 'no python3 on this host' }, () => {
    for (const [lang, port] of [['python', 18931], ['node', 18932]] as const) {
      const app = stackSpecs[lang]!.plain;
      const r = bash(helloScript(app, port));
      assert.deepEqual(evaluateHello({ language: lang, frameworks: [], runs: [{ name: app.name, code: r.status ?? -1, output: r.stdout }] }), [], r.stdout + r.stderr);
    }
  });

  it('L2 script: a server that dies or never listens is reported, and its log comes back', { skip: !hasHostPython && 'no python3 on this host' }, () => {
    const dies = { ...stackSpecs.python!.plain, start: 'python3 -c "import flask_that_is_not_there"' };
    const r1 = bash(helloScript(dies, 18933));
    const f1 = evaluateHello({ language: 'python', frameworks: [], runs: [{ name: dies.name, code: r1.status ?? -1, output: r1.stdout }] });
    assert.match(f1[0]!.message, /the server exited.*No module named 'flask_that_is_not_there'/);
    const deaf = { ...stackSpecs.python!.plain, start: 'sleep 30', seconds: 3 };
    const r2 = bash(helloScript(deaf, 18934));
    assert.match(evaluateHello({ language: 'python', frameworks: [], runs: [{ name: deaf.name, code: r2.status ?? -1, output: r2.stdout }] })[0]!.message, /no answer within 3 s/);
    // the whole process group is stopped: nothing is left listening or sleeping
    assert.equal(spawnSync('bash', ['-c', 'pgrep -f "^sleep 30$"']).status, 1);
  });

  // A container image has no python3: the script falls back to a bash probe, which must give the same verdicts.
  const noPython = () => {
    const dir = mkdtempSync(join(tmpdir(), 'herd-nopy-'));
    for (const tool of ['bash', 'sh', 'mktemp', 'cat', 'setsid', 'sleep', 'tail', 'rm', 'timeout', 'head', 'tr', 'cut', 'sed', 'node']) {
      const at = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (at) symlinkSync(at, join(dir, tool));
    }
    return dir;
  };
  const bashNoPython = (script: string, path: string) => spawnSync(join(path, 'bash'), ['-c', script], { encoding: 'utf8', timeout: 60_000, env: { PATH: path } });
  it('L2 script without python3: the bash probe reads the answer, a dying server, a deaf one and an error status', () => {
    const path = noPython();
    try {
      const ok = bashNoPython(helloScript(stackSpecs.node!.plain, 18935), path);
      assert.deepEqual(evaluateHello({ language: 'node', frameworks: [], runs: [{ name: 'node:http', code: ok.status ?? -1, output: ok.stdout }] }), [], ok.stdout + ok.stderr);
      const dies = bashNoPython(helloScript({ ...stackSpecs.node!.plain, start: 'node -e "require(\'express_that_is_not_there\')"' }, 18936), path);
      assert.match(evaluateHello({ language: 'node', frameworks: [], runs: [{ name: 'node:http', code: dies.status ?? -1, output: dies.stdout }] })[0]!.message, /the server exited/);
      assert.match(parseHello(dies.stdout).log, /Cannot find module 'express_that_is_not_there'/);
      const deaf = bashNoPython(helloScript({ ...stackSpecs.node!.plain, start: 'sleep 31', seconds: 3 }, 18937), path);
      assert.match(parseHello(deaf.stdout).note, /^no answer within 3 s$/);
      const teapot = { ...stackSpecs.node!.plain, files: { 'app.js': "require('node:http').createServer((q, s) => { s.statusCode = 418; s.end('short and stout'); }).listen(Number(process.env.PORT), '127.0.0.1');" } };
      const r = bashNoPython(helloScript(teapot, 18938), path);
      assert.deepEqual(parseHello(r.stdout).status, 418);
      assert.match(evaluateHello({ language: 'node', frameworks: [], runs: [{ name: 'node:http', code: r.status ?? -1, output: r.stdout }] })[0]!.message, /answered 418 "short and stout"/);
      assert.equal(spawnSync('bash', ['-c', 'pgrep -f "^sleep 31$"']).status, 1);
    } finally {
      rmSync(path, { recursive: true, force: true });
    }
  });
});
