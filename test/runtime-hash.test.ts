/** The raw material of cache keys: canonical JSON, content hashes that survive a touch, streamed MD5s. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { canonicalJson, FileHasher, fileStamp, sha256 } from '../src/runtime/hash.ts';
import { md5File } from '../src/weights/md5.ts';

const dir = mkdtempSync(join(tmpdir(), 'df-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('canonicalJson: key order and undefined members do not matter; array order does', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined } }), canonicalJson({ a: { d: [2, 1] }, b: 1 }));
  assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
  assert.deepEqual(JSON.parse(canonicalJson({ z: 1, y: null })), { y: null, z: 1 });
});

test('sha256 is the hex SHA-256 of the text', () => {
  assert.equal(sha256('abc'), createHash('sha256').update(Buffer.from('abc', 'utf8')).digest('hex'));
  assert.match(sha256(''), /^[0-9a-f]{64}$/);
});

test('FileHasher: a touched file keeps its hash, new bytes change it, a missing file is "missing"', async () => {
  const file = join(dir, 'in.txt');
  writeFileSync(file, 'one');
  const h = new FileHasher();
  const first = await h.hash(file);
  assert.equal(first, createHash('sha256').update('one').digest('hex'));
  const stamp = await fileStamp(file);
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  assert.notEqual(await fileStamp(file), stamp, 'a touch changes the stamp');
  assert.equal(await h.hash(file), first, '…but not the hash');
  writeFileSync(file, 'two');
  assert.notEqual(await h.hash(file), first);
  rmSync(file);
  assert.equal(await h.hash(file), 'missing');
  assert.equal(await fileStamp(file), 'missing');
});

test('md5File streams a file larger than one chunk to the same MD5 as hashing it at once', async () => {
  const bytes = Buffer.alloc((1 << 20) + 12345);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  const file = join(dir, 'big.bin');
  writeFileSync(file, bytes);
  assert.equal(await md5File(file), createHash('md5').update(bytes).digest('hex'));
});
