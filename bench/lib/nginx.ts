import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

/**
 * nginx as the peer of Herd's download benchmarks: one worker process (herd serve is one Node process),
 * its own config and pid file under `dir`, serving `dir/www` on 127.0.0.1 only. Stop it by its PID.
 */
export function startNginx(dir: string, port: number): ChildProcess {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'nginx-error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  types { application/json json; application/x-qemu-disk qcow2; application/pgp-signature asc; }
  client_body_temp_path ${join(dir, 'nginx-tmp')};
  proxy_temp_path ${join(dir, 'nginx-tmp')};
  fastcgi_temp_path ${join(dir, 'nginx-tmp')};
  uwsgi_temp_path ${join(dir, 'nginx-tmp')};
  scgi_temp_path ${join(dir, 'nginx-tmp')};
  server { listen 127.0.0.1:${port}; root ${join(dir, 'www')}; }
}
`);
  return spawn('nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
