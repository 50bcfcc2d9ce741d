import type { ShellCheck } from '../check.ts';
import { finding } from '../check.ts';
import { expectedBody, stackSpecs, type HelloApp } from './stack-hello-apps.ts';

/** What one hello-world run printed in the guest (see helloScript). */
export interface HelloRun { name: string; code: number; output: string }

export interface HelloFacts {
  language: string;
  /** The frameworks the catalogue says the image has. */
  frameworks: string[];
  runs: HelloRun[];
}

export interface ParsedHello { status?: number; body: string; note: string; log: string }

/** Reads the probe's lines: `STATUS 200` or `STATUS none <why>`, `BODY <text>`, then the server's log. */
export function parseHello(output: string): ParsedHello {
  const [head = '', log = ''] = output.split('\n---LOG---\n');
  const status = /^STATUS (\d+)/m.exec(head)?.[1];
  const note = /^STATUS none (.*)$/m.exec(head)?.[1] ?? '';
  const body = /^BODY (.*)$/m.exec(head)?.[1] ?? '';
  return { status: status === undefined ? undefined : Number(status), body, note, log: log.trim() };
}

/** Every framework the catalogue names has an app here, and every app answered 200 with its greeting. */
export function evaluateHello(f: HelloFacts) {
  const out = [];
  const spec = stackSpecs[f.language];
  if (!spec) return [finding(`no stack QA for language "${f.language}"`)];
  for (const fw of f.frameworks) {
    if (!spec.frameworks[fw]) out.push(finding(`the catalogue names framework "${fw}" but the stack suite has no hello-world for it`, 'src/qa/boot/checks/stack-hello-apps.ts'));
  }
  for (const run of f.runs) {
    const p = parseHello(run.output);
    const tail = p.log.split('\n').slice(-3).join(' | ');
    if (p.status === undefined) {
      out.push(finding(`${run.name} hello-world did not answer HTTP (${p.note || `probe exit ${run.code}`})${tail ? `: ${tail}` : ''}`));
    } else if (p.status !== 200 || !p.body.includes(expectedBody(run.name))) {
      out.push(finding(`${run.name} hello-world answered ${p.status} "${p.body.slice(0, 120)}", expected 200 "${expectedBody(run.name)}"`));
    }
  }
  return out;
}

const PROBE = `
import os, sys, time, urllib.request, urllib.error
port, pid, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
deadline = time.time() + seconds
why = 'no answer within %d s' % seconds
while time.time() < deadline:
    try:
        with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=10) as r:
            print('STATUS', r.status); print('BODY', r.read(500).decode('utf-8', 'replace').replace('\\n', ' ')); sys.exit(0)
    except urllib.error.HTTPError as e:
        print('STATUS', e.code); print('BODY', e.read(500).decode('utf-8', 'replace').replace('\\n', ' ')); sys.exit(0)
    except Exception as e:
        why = 'no answer within %d s (last: %s)' % (seconds, e)
    try:
        os.kill(pid, 0)
    except OSError:
        print('STATUS none the server exited'); sys.exit(0)
    time.sleep(1)
print('STATUS none', why)
`;

/**
 * The same probe in bash, for instances without python3 (a stack's OCI container image): a raw HTTP/1.0
 * request over bash's /dev/tcp, since neither curl nor wget is in a container base. Same output lines.
 */
const BASH_PROBE = `
port=$1 pid=$2 end=$((SECONDS + $3)) why="no answer within $3 s"
while [ "$SECONDS" -lt "$end" ]; do
  if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    printf 'GET / HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3
    resp=$(timeout 10 cat <&3 | head -c 65536 | tr -d '\\r')
    exec 3<&-
    if [ -n "$resp" ]; then
      echo "STATUS $(printf '%s\\n' "$resp" | head -n 1 | cut -d ' ' -f 2)"
      body=$(printf '%s\\n' "$resp" | sed '1,/^$/d')
      echo "BODY $(printf '%s' "$body" | tr '\\n' ' ' | head -c 500)"
      exit 0
    fi
    why="no answer within $3 s (last: an empty reply)"
  fi 2>/dev/null
  kill -0 "$pid" 2>/dev/null || { echo 'STATUS none the server exited'; exit 0; }
  sleep 1
done
echo "STATUS none $why"
`;

/**
 * One shell script per app: writes its files with here-docs into a fresh folder, starts the server in its
 * own session, probes it with python3 (cloud-init guarantees python3 in a VM; curl may be absent) or, where
 * there is none, with bash; then stops the whole session and prints the server's log.
 */
export function helloScript(app: HelloApp, port: number): string {
  const files = Object.entries(app.files).map(([name, body]) => `cat > '${name}' <<'HERD_APP_EOF'\n${body}\nHERD_APP_EOF`);
  return [
    'd=$(mktemp -d /tmp/herd-stack-XXXXXX) && cd "$d" || exit 1',
    ...files,
    `export PORT=${port}`,
    `setsid sh -c '${app.start.replace(/'/g, `'\\''`)}' >server.log 2>&1 </dev/null & pid=$!`,
    'if command -v python3 >/dev/null 2>&1; then',
    `python3 - "$PORT" "$pid" ${app.seconds} <<'HERD_PROBE_EOF'\n${PROBE}\nHERD_PROBE_EOF`,
    'else',
    `bash -s "$PORT" "$pid" ${app.seconds} <<'HERD_PROBE_EOF'\n${BASH_PROBE}\nHERD_PROBE_EOF`,
    'fi',
    'kill -TERM -- "-$pid" 2>/dev/null; sleep 1; kill -KILL -- "-$pid" 2>/dev/null',
    'echo; echo ---LOG---; tail -n 20 server.log; cd / && rm -rf "$d"',
  ].join('\n');
}

export const stackHello: ShellCheck = {
  id: 'L2',
  title: 'a hello-world app per framework (and the standard library server) answers HTTP on localhost',
  async run({ sh, manifest }) {
    const stack = manifest?.stack;
    if (!stack) return { skip: 'the manifest names no catalog.stack' };
    const spec = stackSpecs[stack.language];
    if (!spec) return evaluateHello({ language: stack.language, frameworks: stack.frameworks, runs: [] });
    const apps = [spec.plain, ...stack.frameworks.flatMap((fw) => spec.frameworks[fw] ?? [])];
    const runs: HelloRun[] = [];
    for (const [i, app] of apps.entries()) {
      const r = await sh(helloScript(app, 18080 + i), (app.seconds + 60) * 1000);
      runs.push({ name: app.name, code: r.code, output: r.stdout });
    }
    return evaluateHello({ language: stack.language, frameworks: stack.frameworks, runs });
  },
};
