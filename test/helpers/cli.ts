/** Runs the real CLI (`bin/dreamflow.mjs`) in a child process, as a user would. */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/dreamflow.mjs', import.meta.url));

export interface CliOptions {
  /** default: the repository root */
  cwd?: string;
  /** added to the test process's environment (colours are always off) */
  env?: NodeJS.ProcessEnv;
}

export interface CliResult {
  /** null when the process was killed (by the timeout) */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `dreamflow ARGS` with piped stdout/stderr and no colours; for long-running commands (watch). */
export function spawnCli(args: string[], opts: CliOptions & { timeoutMs?: number } = {}): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env },
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
  });
}

/** Runs `dreamflow ARGS` to the end; never rejects on a non-zero exit. */
export function runCli(args: string[], opts: CliOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { ...opts, timeoutMs: opts.timeoutMs ?? 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The NDJSON lines of `--reporter json` output (every stdout line must be a JSON object). */
export function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line is not JSON: ${l}`);
      }
    });
}
