import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AppError } from '../../errors.ts';
import { packageFor } from '../../catalog/host-tools.ts';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Each line the command prints (stdout and stderr), for the build log and progress view. */
  onLine?: (line: string) => void;
  /** Bytes to write to the command's standard input. */
  input?: string | Buffer;
  /** Keep stdout as the result instead of streaming it to onLine. */
  captureStdout?: boolean;
  /** Send stdout to this file (binary output such as a compressed image). */
  stdoutFile?: string;
  signal?: AbortSignal;
}

/** Runs argv (never a shell string); rejects with an AppError naming the Debian package when the tool is missing. */
export function runCommand(argv: string[], opts: RunOptions = {}): Promise<{ stdout: string }> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new AppError('internal.empty_command', 'empty command', { kind: 'internal' });
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, LC_ALL: 'C.UTF-8', ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    const chunks: Buffer[] = [];
    const tail: string[] = [];
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      opts.onLine?.(line);
    };
    const sink = opts.stdoutFile ? createWriteStream(opts.stdoutFile) : undefined;
    const sinkDone = sink ? new Promise<void>((res, rej) => sink.on('finish', () => res()).on('error', rej)) : Promise.resolve();
    if (sink) child.stdout!.pipe(sink);
    else if (opts.captureStdout) child.stdout!.on('data', (c: Buffer) => chunks.push(c));
    else createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    // a command may exit without reading all its input; that is its business, not a crash of ours
    if (opts.input !== undefined) child.stdin!.on('error', () => {}).end(opts.input);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        const pkg = packageFor(cmd);
        reject(new AppError('host.tool_missing', `${cmd} is not installed on this machine`, {
          kind: 'dependency', hint: pkg ? `apt-get install ${pkg}  (or run: herd doctor --install)` : 'install it and retry',
        }));
      } else reject(e);
    });
    child.on('close', (code, signal) => {
      if (code === 0) return void sinkDone.then(() => resolve({ stdout: Buffer.concat(chunks).toString('utf8') }), reject);
      reject(new AppError('host.command_failed', `${cmd} failed (${signal ?? `exit ${code}`}): ${tail.slice(-5).join(' | ')}`, {
        kind: 'dependency', hint: 'the full output is in the build log', details: { argv, tail },
      }));
    });
  });
}
