import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export interface CockpitFacts {
  socketEnabled: string;
  socketActive: string;
  /** HTTP status of GET http://127.0.0.1:9090/ (0 when nothing answered), and the start of its body */
  status: number;
  body: string;
}

export function evaluateCockpit(f: CockpitFacts) {
  const out = [];
  if (f.socketEnabled !== 'enabled') out.push(finding(`cockpit.socket is ${f.socketEnabled || 'missing'}, not enabled`));
  if (f.socketActive !== 'active') out.push(finding(`cockpit.socket is ${f.socketActive || 'missing'}, not active`));
  if (f.status !== 200) out.push(finding(`Cockpit did not answer on 127.0.0.1:9090 with HTTP 200 (got ${f.status || 'no answer'}: ${f.body.slice(0, 120)})`));
  else if (!/cockpit|login/i.test(f.body)) out.push(finding(`port 9090 answered 200 but not with Cockpit's login page: ${f.body.slice(0, 120)}`));
  return out;
}

// python3 is in every Herd image (cloud-init needs it); curl is not. No redirects: plain HTTP on localhost
// is what Cockpit serves without TLS.
const HTTP_GET = `python3 - <<'PY'
import http.client
try:
    c = http.client.HTTPConnection('127.0.0.1', 9090, timeout=60)
    c.request('GET', '/')
    r = c.getresponse()
    print('HTTP', r.status)
    print(r.read(4000).decode('utf-8', 'replace'))
except Exception as e:
    print('HTTP 0')
    print(repr(e))
PY`;

export function parseHttp(text: string): { status: number; body: string } {
  const m = /^HTTP (\d+)\n?([\s\S]*)$/m.exec(text);
  return m ? { status: Number(m[1]), body: m[2]!.trim() } : { status: 0, body: text.trim() };
}

export const cockpit: BootCheck = {
  id: 'S3',
  title: 'Cockpit enabled and answering with its login page on 127.0.0.1:9090',
  async run({ sh }) {
    const en = (await sh('systemctl is-enabled cockpit.socket 2>&1 | head -n1')).stdout.trim();
    const act = (await sh('systemctl is-active cockpit.socket 2>&1 | head -n1')).stdout.trim();
    const http = parseHttp((await sh(HTTP_GET, 120_000)).stdout);
    return evaluateCockpit({ socketEnabled: en, socketActive: act, ...http });
  },
};
