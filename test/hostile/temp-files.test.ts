/**
 * Item 8: an interrupted save (killed between writing its temporary file and renaming it) leaves
 * `.NAME.<pid>-<hex>.tmp`; the next write of NAME removes those of dead processes, and nothing else: not a live
 * writer's, not another file's, not a name that merely looks similar.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { writeFileAtomic } from '../../src/image/write-atomic.ts';
import { outsideUnchanged, world } from '../helpers/hostile.ts';

/** A pid that no process has (above Linux's pid_max). */
const DEAD = 4_194_400;

test('the next write of a file removes its stale temporary files only', async () => {
  const w = world();
  const keep = [
    `.out.png.${process.pid}-0123abcd.tmp`, // a live writer's (this process)
    `.other.png.${DEAD}-0123abcd.tmp`, // another file's
    `.out.png.${DEAD}-xyz.tmp`, // not our pattern
    'out.png.tmp',
    'notes.tmp',
  ];
  const stale = [`.out.png.${DEAD}-deadbeef.tmp`, `.out.png.${DEAD + 1}-00000000.tmp`];
  for (const name of [...keep, ...stale]) w.write(`run/${name}`, 'partial');
  await outsideUnchanged(w, () => writeFileAtomic(join(w.run, 'out.png'), new Uint8Array([1, 2, 3])));
  assert.deepEqual(readdirSync(w.run).sort(), [...keep, 'out.png'].sort());
  assert.deepEqual([...readFileSync(join(w.run, 'out.png'))], [1, 2, 3]);
});
