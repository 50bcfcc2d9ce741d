import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateKnownResult } from './known-result.ts';
import { R_WANT } from './d01-r.ts';
import { OCTAVE_WANT } from './d02-octave.ts';
import { PY_WANT } from './d03-python-data.ts';
import { JAVA_WANT } from './d04-java.ts';
import { evaluateJupyter } from './d05-jupyter.ts';

// Recorded from the data-science image (Debian 13) and, for the failures, from the base image.
describe('D1-D4 known results', () => {
  it('pass on the expected lines', () => {
    assert.deepEqual(evaluateKnownResult('Rscript', R_WANT, { code: 0, output: `${R_WANT}\n` }), []);
    assert.deepEqual(evaluateKnownResult('octave-cli', OCTAVE_WANT, { code: 0, output: `${OCTAVE_WANT}\n` }), []);
    assert.deepEqual(evaluateKnownResult('python3', PY_WANT, { code: 0, output: `${PY_WANT}\n` }), []);
    assert.deepEqual(evaluateKnownResult('java', JAVA_WANT, { code: 0, output: `Property settings:\n    file.encoding = UTF-8\n    ${JAVA_WANT}\n    java.vendor = Debian\n` }), []);
  });
  it('fail on the base image, where the tools are missing', () => {
    const f = evaluateKnownResult('Rscript', R_WANT, { code: 127, output: 'bash: line 1: Rscript: command not found\n' });
    assert.deepEqual(f.map((x) => x.message), ['Rscript failed (exit 127): bash: line 1: Rscript: command not found']);
    const py = evaluateKnownResult('python3 (numpy, pandas, scipy)', PY_WANT, { code: 1, output: 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nModuleNotFoundError: No module named \'numpy\'\n' });
    assert.match(py[0]!.message, /exit 1\).*No module named 'numpy'/);
  });
  it('fail on a wrong result even when the program exits 0', () => {
    const f = evaluateKnownResult('Rscript', R_WANT, { code: 0, output: 'lm -17.5791 3.9000 sum 5050\n' });
    assert.match(f[0]!.message, /printed "lm -17\.5791 3\.9000 sum 5050", want "lm -17\.5791 3\.9324 sum 5050"/);
  });
});

const good = {
  api: { status: 200, body: '{"version": "6.4.13"}' }, withToken: 200, withoutToken: 403,
  kernel: { status: 201, body: '{"id": "2d6f0a8e-5a7e-4a55-9d0f-0b3f3f1f8a11", "name": "python3", "last_activity": "2026-12-01T02:40:00.000000Z", "execution_state": "starting", "connections": 0}' },
  listen: '127.0.0.1:8888\n', log: '',
};

describe('D5 Jupyter', () => {
  it('passes a server on loopback that enforces its token and starts a kernel', () => {
    assert.deepEqual(evaluateJupyter(good), []);
  });
  it('fails on the base image: nothing answers', () => {
    const f = evaluateJupyter({ api: { status: 0, body: "ConnectionRefusedError(111, 'Connection refused')" }, withToken: 0, withoutToken: 0, kernel: { status: 0, body: '' }, listen: '', log: 'nohup: failed to run command \'jupyter\': No such file or directory\n' });
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /did not answer GET \/api on localhost \(HTTP none\): ConnectionRefusedError/);
  });
  it('fails when the token is not enforced, no kernel starts, or it listens on every address', () => {
    const f = evaluateJupyter({ ...good, withoutToken: 200, kernel: { status: 500, body: 'No such kernel' }, listen: '0.0.0.0:8888\n' }).map((x) => x.message).join('\n');
    assert.match(f, /token is not enforced[\s\S]*POST \/api\/kernels\) answered 500[\s\S]*beyond loopback: 0\.0\.0\.0:8888/);
  });
});
