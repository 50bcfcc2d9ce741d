import { spawn } from 'node:child_process';
import { AppError } from '../errors.ts';
import { packageFor } from './host-tools.ts';

export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs argv (never a shell string) and collects its output. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new AppError('qa.run_empty', 'run() called with an empty argv', { kind: 'internal' });
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? missingTool(cmd) : e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      };
      if (result.code !== 0 && !opts.allowFailure) reject(commandFailed(argv, result));
      else resolve(result);
    });
    child.stdin.on('error', () => { /* the child may exit before reading stdin */ });
    child.stdin.end(opts.input ?? '');
  });
}

export function missingTool(cmd: string): AppError {
  const pkg = packageFor(cmd);
  return new AppError('host.tool_missing', `${cmd} is not installed on this host`, {
    kind: 'dependency',
    hint: pkg ? `install it with: apt-get install --no-install-recommends ${pkg}` : 'install it and make sure it is on PATH',
  });
}

function commandFailed(argv: readonly string[], r: RunResult): AppError {
  const what = r.timedOut ? 'timed out' : `exited with ${r.code}`;
  const tail = r.stderr.trim().split('\n').slice(-5).join('\n');
  return new AppError('host.command_failed', `${argv.join(' ')} ${what}${tail ? `:\n${tail}` : ''}`, {
    kind: 'dependency',
    details: { argv, code: r.code },
  });
}
