/**
 * Item 2: `extends:` or `include:` naming a file outside the recipe's tree (~/secrets.yaml, a .env, a docker
 * config.json, ~/.ssh/id_rsa) must not make `validate` print that file's content. Non-YAML names are refused
 * before the file is opened; a YAML file outside the tree is named with its position, its lines never shown.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { beforeAll, test } from 'vitest';
import { ndjson, runCli } from '../helpers/cli.ts';
import { outsideUnchanged, runMain, world } from '../helpers/hostile.ts';

beforeAll(() => {
  process.env.NODE_OPTIONS = '--max-old-space-size=384';
});

const SECRET = 'hunter2-s3cr3t';

/** validate with both reporters (the CLI's entry point in this process; the json one in a real process when `real`). */
async function validateBoth(w: ReturnType<typeof world>, file: string, real = false) {
  const pretty = await outsideUnchanged(w, () => runMain(['validate', file], w.run));
  const jsonArgs = ['validate', file, '--reporter', 'json'];
  const json = await outsideUnchanged(w, () => (real ? runCli(jsonArgs, { cwd: w.run }) : runMain(jsonArgs, w.run)));
  return { pretty, json, errors: ndjson(json.stdout).filter((e) => e.event === 'error') };
}

test('extends: a YAML file outside the tree is located but never quoted (pretty and json)', async () => {
  const w = world();
  const secrets = w.write('home/secrets.yaml', `aws_secret_access_key: ${SECRET}\n${SECRET}: 1\n`);
  w.write('run/p.yaml', `extends: ${secrets}\n`);
  const t0 = performance.now();
  const { pretty, json, errors } = await validateBoth(w, 'p.yaml', true);
  assert.ok(performance.now() - t0 < 60_000);
  assert.equal(pretty.code, 2);
  assert.equal(json.code, 2);
  for (const out of [pretty.stdout, pretty.stderr, json.stdout, json.stderr]) assert.ok(!out.includes(SECRET), out);
  const inSecrets = errors.filter((e) => e.file === secrets);
  assert.ok(inSecrets.length >= 1, 'the errors in that file are reported, with its name');
  assert.ok(inSecrets.every((e) => typeof e.line === 'number' && typeof e.col === 'number' && e.code === 'E_UNKNOWN_KEY'));
  assert.match(pretty.stderr, new RegExp(`${secrets.replace(/[.]/g, '\\.')}:1:1: error E_UNKNOWN_KEY: .*content is not shown`));
});

test('a YAML syntax error in a file outside the tree is located, not quoted', async () => {
  const w = world();
  const secrets = w.write('home/creds.yml', `token: "${SECRET}\n  : [\n`);
  w.write('run/p.yaml', `include: [${secrets}]\nversion: 1\nnodes: {}\n`);
  const { pretty, errors } = await validateBoth(w, 'p.yaml');
  assert.equal(pretty.code, 2);
  assert.ok(!pretty.stderr.includes(SECRET), pretty.stderr);
  assert.ok(errors.some((e) => e.file === secrets && e.code === 'E_YAML_SYNTAX' && typeof e.line === 'number'));
});

test('.env, config.json, id_rsa: refused by name before they are opened (E_RECIPE_NOT_YAML at the reference)', async () => {
  const w = world();
  const files = [
    w.write('home/.env', `API_KEY=${SECRET}\n`),
    w.write('home/.docker/config.json', `{"auths": {"x": {"auth": "${SECRET}"}}}\n`),
    w.write('home/.ssh/id_rsa', `-----BEGIN ${SECRET}-----\n`),
  ];
  for (const f of files) {
    w.write('run/p.yaml', `version: 1\nextends: ${f}\nnodes: {}\n`);
    const { pretty, errors } = await validateBoth(w, 'p.yaml');
    assert.equal(pretty.code, 2);
    assert.ok(!pretty.stderr.includes(SECRET), pretty.stderr);
    assert.deepEqual(errors.map((e) => [e.code, e.file, e.line, e.col]), [['E_RECIPE_NOT_YAML', join(w.run, 'p.yaml'), 2, 10]]);
  }
});

test('a link inside the tree to a file outside it is judged by its target: not quoted, or refused by name', async () => {
  const w = world();
  const { symlinkSync } = await import('node:fs');
  const secrets = w.write('home/secrets.yaml', `${SECRET}: 1\n`);
  w.write('home/.ssh/id_rsa', `${SECRET}\n`);
  symlinkSync(secrets, join(w.run, 'base.yaml'));
  symlinkSync(join(w.home, '.ssh/id_rsa'), join(w.run, 'key.yaml'));
  w.write('run/p.yaml', 'extends: ./base.yaml\n');
  const viaLink = await runMain(['validate', 'p.yaml'], w.run);
  assert.equal(viaLink.code, 2);
  assert.ok(!viaLink.stderr.includes(SECRET), viaLink.stderr);
  assert.match(viaLink.stderr, /content is not shown/);
  w.write('run/p.yaml', 'extends: ./key.yaml\n');
  const toKey = await runMain(['validate', 'p.yaml', '--reporter', 'json'], w.run);
  assert.equal(toKey.code, 2);
  assert.ok(!toKey.stdout.includes(SECRET));
  assert.deepEqual(ndjson(toKey.stdout).map((e) => [e.code, e.line, e.col]), [['E_RECIPE_NOT_YAML', 1, 10]]);
});
