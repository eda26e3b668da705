/**
 * The ffmpeg binary, from @ffmpeg-installer/ffmpeg (its platform package ships a static build with libx264,
 * libvpx and gif). npm 11 does not run that package's `chmod u+x` install script, so the file may arrive without
 * its execute bit: we check, set it when we may, else copy the binary where we can (the cache directory) and set it
 * there; if none of that works the error says what to run. DREAMFLOW_FFMPEG overrides the path.
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DreamflowError } from '../errors/dreamflow-error.ts';

let located: string | undefined;

/** The path of an executable ffmpeg (throws E_FFMPEG_MISSING with the fix when there is none). */
export function ffmpegPath(fallbackDir: string): string {
  const override = process.env.DREAMFLOW_FFMPEG;
  if (override !== undefined) return checkExecutable(override, 'DREAMFLOW_FFMPEG');
  if (located) return located;
  let shipped: string;
  try {
    shipped = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch (e) {
    throw missing(`the @ffmpeg-installer/ffmpeg package has no binary for ${process.platform}-${process.arch} (${String(e)})`);
  }
  return (located = makeExecutable(shipped, fallbackDir));
}

/** `shipped` itself once executable (setting its execute bit when it lacks it), else an executable copy in `fallbackDir/bin`. */
export function makeExecutable(shipped: string, fallbackDir: string): string {
  if (isExecutable(shipped)) return shipped;
  try {
    chmodSync(shipped, statSync(shipped).mode | 0o111);
    if (isExecutable(shipped)) return shipped;
  } catch {
    // a read-only node_modules: copy it below
  }
  const copy = join(fallbackDir, 'bin', 'ffmpeg');
  try {
    if (!isExecutable(copy)) {
      mkdirSync(join(fallbackDir, 'bin'), { recursive: true });
      const tmp = `${copy}.${process.pid}.tmp`;
      copyFileSync(shipped, tmp);
      chmodSync(tmp, 0o755);
      renameSync(tmp, copy);
    }
    return copy;
  } catch (e) {
    throw missing(`${shipped} is not executable and could not be made so (${(e as Error).message})`, shipped);
  }
}

function checkExecutable(path: string, from: string): string {
  if (!existsSync(path)) throw missing(`${from} names ${path}, which does not exist`);
  if (!isExecutable(path)) throw missing(`${from} names ${path}, which is not executable`, path);
  return path;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function missing(why: string, path?: string): DreamflowError {
  return new DreamflowError('E_FFMPEG_MISSING', `cannot run ffmpeg: ${why}`, {
    hints: [
      path ? `chmod +x ${path}` : 'run `npm ci` (it installs @ffmpeg-installer/ffmpeg and its platform package)',
      'or point DREAMFLOW_FFMPEG at an ffmpeg binary',
    ],
  });
}

/** Runs ffmpeg with `args`; resolves with its exit code and stderr (ffmpeg reports on stderr). */
export function runFfmpeg(binary: string, args: string[], signal?: AbortSignal): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}
