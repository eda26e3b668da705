/** The README's gallery is current: one row per shipped recipe, every picture it shows is committed and small. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { GALLERY_BEGIN, GALLERY_END, GALLERY_PHOTOS, galleryImage, galleryMarkdown, galleryRecipes } from '../src/docs/gallery-table.ts';
import { REPO } from './helpers/cli.ts';

const recipes = galleryRecipes(path.join(REPO, 'pipelines'));

test('the gallery shows the recipes that take input and write a picture, and extend nothing', () => {
  const names = recipes.map((r) => r.name);
  for (const name of ['classic', 'colors', 'guided', 'laplacian', 'masked', 'strongest', 'texture']) assert.ok(names.includes(name), name);
  assert.ok(!names.includes('dream'), 'dream.yaml extends base.yaml: the same dream');
  assert.ok(!names.includes('video') && !names.includes('zoom'), 'recipes that write a video are not pictures');
  assert.ok(recipes.every((r) => r.summary.length > 10), 'each row says what the recipe does');
});

test('README.md holds the generated gallery table (npm run gallery)', () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(GALLERY_BEGIN);
  const stop = readme.indexOf(GALLERY_END);
  assert.ok(start >= 0 && stop > start, 'the gallery markers');
  assert.equal(readme.slice(start + GALLERY_BEGIN.length, stop).trim(), galleryMarkdown(recipes));
});

test('every gallery picture is a committed JPEG under 40 KB', () => {
  for (const r of recipes) {
    for (const photo of GALLERY_PHOTOS) {
      const file = path.join(REPO, 'docs/gallery', galleryImage(r.name, photo));
      const bytes = readFileSync(file);
      assert.ok(bytes[0] === 0xff && bytes[1] === 0xd8, `${file} is a JPEG`);
      assert.ok(statSync(file).size < 40_000, `${file} is small`);
    }
  }
});
