/**
 * `dreamflow run pipelines/video.yaml` on the example clip, as a user would: killed with SIGKILL in the middle of the
 * frames, then the same command again. The frames finished before the kill come from the disk cache (json events say
 * node:cached), nothing before the kill runs again, and the frames and the video equal an uninterrupted run's.
 * Then the zoom recipe makes its frames and a gif, and a clip with sound keeps its audio in the mp4.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { ffmpegPath } from '../../src/frames/ffmpeg.ts';
import { REPO, ndjson, runCli } from '../helpers/cli.ts';

const BIN = join(REPO, 'bin/dreamflow.mjs');
// 8 frames of the example clip (every 3rd), small and few steps: about a second a frame here.
const small = ['--set', 'stride=3', '--set', 'max_size=112', '--set', 'min_size=48', '--set', 'steps=2', '--reporter', 'json'];
const args = (dir: string) => ['run', 'pipelines/video.yaml', ...small, '--set', `frames_dir=${dir}/frames`, '--set', `output=${dir}/video.mp4`, '--out-dir', dir];

type Ev = { event: string; node?: string; frame?: number };

/** Starts the run and SIGKILLs it once `frame` frames have been saved; resolves with the events seen until then. */
function runAndKill(cliArgs: string[], frame: number): Promise<Ev[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...cliArgs], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const events: Ev[] = [];
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (!l.startsWith('{')) continue;
        const e = JSON.parse(l) as Ev;
        events.push(e);
        // The next frame has started dreaming: kill in the middle of it.
        if (e.event === 'node:start' && e.node === `dreamed@f${frame}/o0`) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve(events) : reject(new Error(`the run ended before the kill (${signal})`))));
  });
}

const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');
/** Per-frame checksums of the decoded video (ffmpeg's framemd5), independent of container timestamps. */
const videoFrames = (file: string) =>
  execFileSync(ffmpegPath(tmpdir()), ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'])
    .toString()
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());

test('kill -9 in the middle of a frame run, then the same command: earlier frames come from the cache, the result equals an uninterrupted run', { timeout: 600_000 }, async () => {
  const killed = mkdtempSync(join(tmpdir(), 'df-video-killed-'));
  const before = await runAndKill(args(killed), 4);
  const savedBefore = before.filter((e) => e.event === 'node:done' && e.node?.startsWith('frame@')).length;
  assert.equal(savedBefore, 4, 'frames 0–3 were saved before the kill');

  const resumed = await runCli(args(killed), { timeoutMs: 300_000 });
  assert.equal(resumed.code, 0, resumed.stderr);
  const events = ndjson(resumed.stdout) as Ev[];
  const started = events.filter((e) => e.event === 'node:start');
  assert.ok(started.every((e) => e.frame === undefined || e.frame >= 4), `re-ran before the kill: ${started.filter((e) => (e.frame ?? 99) < 4).map((e) => e.node).join(', ')}`);
  const cached = new Set(events.filter((e) => e.event === 'node:cached').map((e) => e.node));
  for (let f = 0; f < 4; f++) for (const id of [`dreamed@f${f}/o1`, `frame@f${f}`]) assert.ok(cached.has(id), `${id} from the cache`);

  const clean = mkdtempSync(join(tmpdir(), 'df-video-clean-'));
  const straight = await runCli(args(clean), { timeoutMs: 300_000 });
  assert.equal(straight.code, 0, straight.stderr);
  const names = readdirSync(join(clean, 'frames')).sort();
  assert.equal(names.length, 8);
  assert.deepEqual(readdirSync(join(killed, 'frames')).sort(), names);
  for (const n of names) assert.equal(md5(join(killed, 'frames', n)), md5(join(clean, 'frames', n)), n);
  assert.deepEqual(videoFrames(join(killed, 'video.mp4')), videoFrames(join(clean, 'video.mp4')));
});

test('zoom.yaml makes N frames from one photo and a gif of them', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-zoom-'));
  const r = await runCli(['run', 'pipelines/zoom.yaml', '--set', 'frames=3', '--set', 'max_size=96', '--set', 'min_size=48', '--set', 'steps=2',
    '--set', `frames_dir=${dir}/frames`, '--set', `output=${dir}/zoom.gif`, '--out-dir', dir, '--reporter', 'json'], { timeoutMs: 240_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readdirSync(join(dir, 'frames')).length, 3);
  assert.equal(videoFrames(join(dir, 'zoom.gif')).length, 3);
});

test('a source with sound: the mp4 keeps the audio track', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-audio-'));
  const clip = join(dir, 'beep.mp4');
  const ffmpeg = ffmpegPath(tmpdir());
  execFileSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=96x72:rate=4:duration=1', '-f', 'lavfi', '-i', 'sine=duration=1',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
  const r = await runCli(['run', 'pipelines/video.yaml', '--set', `input=${clip}`, '--set', 'min_size=48', '--set', 'steps=1',
    '--set', `frames_dir=${dir}/frames`, '--set', `output=${dir}/out.mp4`, '--out-dir', dir, '--reporter', 'json'], { timeoutMs: 240_000 });
  assert.equal(r.code, 0, r.stderr);
  let report = '';
  try {
    execFileSync(ffmpeg, ['-hide_banner', '-i', join(dir, 'out.mp4')], { stdio: 'pipe' });
  } catch (e) {
    report = String((e as { stderr: Buffer }).stderr);
  }
  assert.match(report, /Stream #0:\d.*Audio: aac/);
  assert.match(report, /Video: h264/);
  assert.match(report, /, 4 fps/);
});
