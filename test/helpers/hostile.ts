/**
 * For hostile-recipe tests: a temporary "world" with a run directory (where dreamflow runs) beside the user's own
 * files, a snapshot of everything outside the run directory (paths, sizes, mtimes) to prove nothing there changed,
 * and generous time and memory bounds.
 */
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface World {
  root: string;
  /** Where dreamflow runs (cwd, output root). */
  run: string;
  /** The user's own files, outside the run directory. */
  home: string;
  write(path: string, text: string | Uint8Array): string;
}

export function world(): World {
  const root = mkdtempSync(join(tmpdir(), 'df-hostile-'));
  const run = join(root, 'run');
  const home = join(root, 'home');
  mkdirSync(run);
  mkdirSync(home);
  return {
    root,
    run,
    home,
    write(path, text) {
      const full = join(root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
  };
}

/** path → "size mtime" of every entry under `dir` but `skip` (links are not followed). */
export function snapshot(dir: string, skip: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (p === skip) continue;
      const st = lstatSync(p);
      out.set(relative(dir, p), `${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Runs `action` and checks that nothing outside `w.run` changed. */
export async function outsideUnchanged<T>(w: World, action: () => Promise<T>): Promise<T> {
  const before = snapshot(w.root, w.run);
  const result = await action();
  assert.deepEqual(snapshot(w.root, w.run), before, 'nothing outside the run directory changed');
  return result;
}

/** Runs `action` and checks it took at most `ms` and grew the JS heap and array buffers by at most `mb` MB. */
export async function bounded<T>(limits: { ms: number; mb: number }, action: () => Promise<T>): Promise<T> {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const t0 = performance.now();
  const result = await action();
  const ms = performance.now() - t0;
  const mb = (used() - before) / 2 ** 20;
  assert.ok(ms < limits.ms, `took ${Math.round(ms)} ms, over ${limits.ms}`);
  assert.ok(mb < limits.mb, `heap grew ${mb.toFixed(0)} MB, over ${limits.mb}`);
  return result;
}

/** The errors of a rejected validation (a DreamflowErrorList or a single error). */
export async function errorsOf(p: Promise<unknown>): Promise<{ code: string; location?: { file: string; line: number; col: number }; message: string }[]> {
  try {
    await p;
  } catch (e) {
    const list = (e as { errors?: unknown[] }).errors;
    return (list ?? [e]) as { code: string; location?: { file: string; line: number; col: number }; message: string }[];
  }
  return [];
}

/** "line:col" (1-based) of the first `token` on the first line of `text` that contains `lineHas`. */
export function at(text: string, lineHas: string, token: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(lineHas));
  assert.ok(i >= 0, `no line with ${lineHas}`);
  const col = lines[i]!.indexOf(token, lines[i]!.indexOf(lineHas));
  assert.ok(col >= 0, `no ${token} on line ${i + 1}`);
  return `${i + 1}:${col + 1}`;
}

/**
 * The CLI's own entry point (src/cli/main.ts) run in this process, with its stdout and stderr captured and `cwd`
 * as the working directory: the same code as bin/dreamflow.mjs without a process start per case.
 */
export async function runMain(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.ts');
  const out = { stdout: '', stderr: '' };
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const here = process.cwd();
  process.stdout.write = ((s: string | Uint8Array) => ((out.stdout += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((out.stderr += String(s)), true)) as typeof process.stderr.write;
  process.chdir(cwd);
  try {
    const code = await main(args);
    return { code, ...out };
  } finally {
    process.chdir(here);
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}
