import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

/** What the Jupyter probe saw: HTTP status and body per request (status 0: nothing answered). */
export interface JupyterFacts {
  /** GET /api: the server's version, no token needed */
  api: { status: number; body: string };
  /** GET /api/status with the token (200) and without it (403: the token is enforced) */
  withToken: number;
  withoutToken: number;
  /** POST /api/kernels with the token: a Python kernel starts (201 and its id) */
  kernel: { status: number; body: string };
  /** Where the server listened, from `ss`; it must be loopback only */
  listen: string;
  log: string;
}

export function evaluateJupyter(f: JupyterFacts) {
  const out = [];
  const logTail = f.log.trim().split('\n').slice(-3).join(' | ');
  if (f.api.status !== 200 || !/"version"\s*:/.test(f.api.body)) {
    return [finding(`Jupyter did not answer GET /api on localhost (HTTP ${f.api.status || 'none'}): ${f.api.body.slice(0, 120) || logTail}`)];
  }
  if (f.withToken !== 200) out.push(finding(`GET /api/status with the token answered ${f.withToken}, not 200`));
  if (f.withoutToken !== 403 && f.withoutToken !== 401) out.push(finding(`GET /api/status without a token answered ${f.withoutToken}: the token is not enforced`));
  if (f.kernel.status !== 201 || !/"id"\s*:/.test(f.kernel.body)) out.push(finding(`starting a Python kernel (POST /api/kernels) answered ${f.kernel.status}: ${f.kernel.body.slice(0, 120)}`));
  if (!f.listen.trim()) out.push(finding('ss shows no Jupyter listener'));
  else if (f.listen.split('\n').some((l) => l.trim() && !/(^|\s)(127\.0\.0\.1|\[::1\]):/.test(l))) out.push(finding(`Jupyter listens beyond loopback: ${f.listen.trim()}`));
  return out;
}

export const JUPYTER_PORT = 8888;

// The probe speaks HTTP with python3's standard library (curl is not in the image); one JSON line out.
const PROBE = (token: string) => `python3 - <<'PY'
import http.client, json, time
def req(method, path, body=None):
    try:
        c = http.client.HTTPConnection("127.0.0.1", ${JUPYTER_PORT}, timeout=60)
        c.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        r = c.getresponse()
        return r.status, r.read(2000).decode("utf-8", "replace")
    except Exception as e:
        return 0, repr(e)
api = (0, "")
for _ in range(90):
    api = req("GET", "/api")
    if api[0]:
        break
    time.sleep(2)
kernel = req("POST", "/api/kernels?token=${token}", body="{}")
print(json.dumps({"api": {"status": api[0], "body": api[1]},
                  "withToken": req("GET", "/api/status?token=${token}")[0],
                  "withoutToken": req("GET", "/api/status")[0],
                  "kernel": {"status": kernel[0], "body": kernel[1]}}))
PY`;

export const jupyter: BootCheck = {
  id: 'D5',
  title: 'Jupyter Notebook starts on localhost with a token, answers /api and starts a Python kernel',
  async run({ sh }) {
    const token = `herdqa${Math.random().toString(36).slice(2, 14)}`;
    const dir = '/tmp/herd-qa-jupyter';
    await sh(`mkdir -p ${dir} && cd ${dir} && (setsid nohup jupyter notebook --no-browser --ip=127.0.0.1 --port=${JUPYTER_PORT} `
      + `--NotebookApp.token=${token} --notebook-dir=${dir} > ${dir}/log 2>&1 & echo $! > ${dir}/pid)`, 60_000);
    try {
      const raw = (await sh(PROBE(token), 300_000)).stdout.trim().split('\n').pop() ?? '';
      const listen = (await sh(`ss -Htln 'sport = :${JUPYTER_PORT}' | awk '{print $4}'`)).stdout;
      const log = (await sh(`tail -n 20 ${dir}/log`)).stdout;
      let probe: Omit<JupyterFacts, 'listen' | 'log'>;
      try {
        probe = JSON.parse(raw);
      } catch {
        probe = { api: { status: 0, body: raw }, withToken: 0, withoutToken: 0, kernel: { status: 0, body: '' } };
      }
      return evaluateJupyter({ ...probe, listen, log });
    } finally {
      await sh(`kill $(cat ${dir}/pid) 2>/dev/null; sleep 2; kill -9 $(cat ${dir}/pid) 2>/dev/null; true`, 30_000);
    }
  },
};
