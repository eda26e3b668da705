/**
 * One bench measurement in a fresh process (so its peak RSS is its own): runs a bench script with the
 * configuration as JSON and returns the last JSON line it printed, or an `error` row naming why there was none.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A path next to this file (bench scripts and the sources they check for). */
export const benchScript = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export function runChild(config: object, script = './measure.ts'): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', benchScript(script), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').reverse().find((l) => l.startsWith('{'));
      const row = line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
      if (code === 0 && row) return resolve(row);
      const { engine, backend, network, size } = config as Record<string, unknown>;
      const why = row?.error ?? (err.trim().split('\n').filter(Boolean).slice(-3).join(' | ') || `exit code ${code}`);
      resolve({ engine, backend, network, size, error: why });
    });
  });
}
