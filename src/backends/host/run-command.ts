import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppError } from '../../errors.ts';
import { packageFor } from '../../catalog/host-tools.ts';

/**
 * The one way Herd runs a host program (build stages, QA, doctor). One environment policy for all of them,
 * so a tool's output (parsed by QA, written into images and logs) does not depend on who started Herd:
 * - LC_ALL=C.UTF-8 and no inherited LANG/LANGUAGE/LC_*: messages and sort orders are the same on every host;
 * - a fixed PATH (the Debian default, with sbin): a user's ~/bin or a venv cannot replace mke2fs or qemu-img.
 *   HERD_HOST_PATH replaces it for hosts that keep the tools elsewhere (and for tests that hide a tool).
 */
export const DEFAULT_HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const LOCALE_VAR = /^(LANG|LANGUAGE|LC_[A-Z_]+)$/;

export function hostPath(): string {
  return process.env.HERD_HOST_PATH || DEFAULT_HOST_PATH;
}

/** The environment every host command gets; `extra` adds or (with undefined) removes variables, locale aside. */
export function hostEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !LOCALE_VAR.test(k)) env[k] = v;
  env.PATH = hostPath();
  for (const [k, v] of Object.entries(extra)) {
    if (LOCALE_VAR.test(k)) continue;
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  env.LC_ALL = 'C.UTF-8';
  return env;
}

/** Where a program is found on the host PATH (the same PATH commands run with), or undefined. */
export function which(tool: string, path = hostPath()): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    try { accessSync(p, constants.X_OK); return p; } catch { /* keep looking */ }
  }
  return undefined;
}

/** Fails fast, naming the Debian package, before any long work starts. Absolute paths are files that must be readable. */
export function requireTools(tools: readonly string[]): void {
  for (const t of tools) {
    if (t.startsWith('/')) {
      try { accessSync(t, constants.R_OK); } catch { throw missingTool(t); }
    } else if (!which(t)) {
      throw missingTool(t);
    }
  }
}

export function missingTool(tool: string): AppError {
  const pkg = packageFor(tool);
  return new AppError('host.tool_missing', `${tool} is not installed on this machine`, {
    kind: 'dependency',
    hint: pkg ? `apt-get install ${pkg}  (or run: herd doctor --install)` : 'install it and make sure it is on PATH',
  });
}

export interface RunOptions {
  cwd?: string;
  /** Variables on top of the host environment (see hostEnv); locale variables are ignored. */
  env?: Record<string, string | undefined>;
  /** Each line the command prints (stderr always; stdout unless captured or sent to a file), for logs and progress. */
  onLine?: (line: string) => void;
  /** Bytes to write to the command's standard input. */
  input?: string | Buffer;
  /** Keep stdout as the result even when onLine is given (without onLine it is always kept). */
  captureStdout?: boolean;
  /** Send stdout to this file (binary output such as a compressed image). */
  stdoutFile?: string;
  signal?: AbortSignal;
  /** Kill the command (SIGKILL) after this long; the result says timedOut. */
  timeoutMs?: number;
  /** Resolve with the result instead of rejecting on a non-zero exit or a timeout. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs argv (never a shell string); rejects with host.tool_missing (naming the Debian package) or host.command_failed. */
export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new AppError('internal.empty_command', 'empty command', { kind: 'internal' });
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: hostEnv(opts.env),
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const tail: string[] = [];
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      opts.onLine?.(line);
    };
    let timedOut = false;
    const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs) : undefined;
    const sink = opts.stdoutFile ? createWriteStream(opts.stdoutFile) : undefined;
    const sinkDone = sink ? new Promise<void>((res, rej) => sink.on('finish', () => res()).on('error', rej)) : Promise.resolve();
    if (sink) child.stdout!.pipe(sink);
    else if (opts.captureStdout || !opts.onLine) child.stdout!.on('data', (c: Buffer) => out.push(c));
    else createInterface({ input: child.stdout! }).on('line', onLine);
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    createInterface({ input: child.stderr! }).on('line', onLine);
    // a command may exit without reading all its input; that is its business, not a crash of ours
    if (opts.input !== undefined) child.stdin!.on('error', () => {}).end(opts.input);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? missingTool(cmd) : e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      };
      if (result.code === 0 || opts.allowFailure) return void sinkDone.then(() => resolve(result), reject);
      const what = timedOut ? `timed out after ${opts.timeoutMs} ms` : signal ? `killed by ${signal}` : `exit ${code}`;
      // stdout captured for parsing is not in the tail; when there is no stderr, its end says what went wrong
      const last = tail.length ? tail : result.stdout.trim().split('\n');
      reject(new AppError('host.command_failed', `${cmd} failed (${what}): ${last.slice(-5).join(' | ')}`, {
        kind: 'dependency', hint: opts.onLine ? 'the full output is in the build log' : `command: ${argv.join(' ')}`,
        details: { argv, code: result.code, tail: last.slice(-20) },
      }));
    });
  });
}
