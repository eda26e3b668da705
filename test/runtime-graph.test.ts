/** The graph as Mermaid, the files a pipeline depends on, and the one-shot API. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { loadPipeline } from '../src/runtime/load-pipeline.ts';
import { toMermaid } from '../src/runtime/mermaid.ts';
import { pipelineFiles } from '../src/runtime/pipeline-files.ts';
import { runPipeline } from '../src/runtime/runner.ts';
import { LOOP, testNodes } from './runtime-fixtures.ts';

const PREVIEW = LOOP + '  p: { type: add, input: dreamed, each_octave: true }\n  pw: { type: write, input: p, path: "p${octave}.txt" }\n';

test('Mermaid: a flowchart with the octave loop as a subgraph and a dashed back-edge', async () => {
  const p = await loadPipeline({ text: PREVIEW, file: 'p.yaml' }, { nodes: testNodes });
  assert.equal(
    toMermaid(p),
    [
      'flowchart TD',
      '  n_c["c<br/>const"]',
      '  n_pyr[["pyr<br/>octave-split"]]',
      '  n_w["w<br/>write"]',
      '  subgraph loop_0["octave loop of pyr: once per level, smallest first"]',
      '    n_seeded["seeded<br/>blend"]',
      '    n_dreamed["dreamed<br/>add"]',
      '  end',
      '  subgraph each_0["each octave of pyr"]',
      '    n_p["p<br/>add"]',
      '    n_pw["pw<br/>write"]',
      '  end',
      '  n_c --> n_pyr',
      '  n_pyr -->|base, level i| n_seeded',
      '  n_dreamed -.->|previous: octave i−1| n_seeded',
      '  n_seeded --> n_dreamed',
      '  n_dreamed -->|last octave| n_w',
      '  n_dreamed --> n_p',
      '  n_p --> n_pw',
    ].join('\n'),
  );
});

test('Mermaid escapes ids that are keywords or have dashes', async () => {
  const p = await loadPipeline({ text: 'version: 1\nnodes:\n  end: { type: const }\n  my-node: { type: add, input: end }\n' }, { nodes: testNodes });
  const m = toMermaid(p);
  assert.match(m, /n_end\["end<br\/>const"\]/);
  assert.match(m, /n_end --> n_my_node/);
});

test('pipelineFiles: the pipeline file and the files its nodes read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'df-files-'));
  const file = join(dir, 'p.yaml');
  writeFileSync(file, 'version: 1\nnodes:\n  r: { type: read, path: in.txt }\n  w: { type: write, input: r, path: o.txt }\n');
  const p = await loadPipeline(file, { nodes: testNodes, workDir: dir });
  assert.deepEqual(pipelineFiles(p), [file, join(dir, 'in.txt')]);
});

test('runPipeline: one run from a pipeline object, returning the files written', async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'df-run-'));
  const result = await runPipeline(
    { pipeline: { version: 1, params: { out: 'x.txt' }, nodes: { c: { type: 'const', value: 4 }, w: { type: 'write', input: 'c', path: '${out}' } } } },
    { nodes: testNodes, workDir },
  );
  assert.deepEqual(result.outputs, [join(workDir, 'x.txt')]);
  assert.deepEqual(result.ran, ['c', 'w']);
  assert.equal(readFileSync(join(workDir, 'x.txt'), 'utf8'), '4');
});
