// Renders every shipped recipe on the example photos at a small size into docs/gallery/ and rewrites the
// README's gallery table (npm run gallery). Options: --width N (default 256), --steps N (default: each recipe's
// own), --only NAME (one recipe; the table still lists all; --only none rewrites the table alone).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Runner } from '../src/index.ts';
import { GALLERY_BEGIN, GALLERY_END, GALLERY_PHOTOS, galleryImage, galleryMarkdown, galleryRecipes } from '../src/docs/gallery-table.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { width: { type: 'string', default: '256' }, steps: { type: 'string' }, only: { type: 'string' } } });
const width = Number(values.width);
const recipes = galleryRecipes(join(root, 'pipelines'));
const tmp = mkdtempSync(join(tmpdir(), 'dreamflow-gallery-'));
const runner = new Runner({ cacheBytes: 0 });
try {
  for (const photo of GALLERY_PHOTOS) {
    await sharp(join(root, 'examples', photo)).resize({ width }).png().toFile(join(tmp, `${photo}.png`));
  }
  for (const r of recipes.filter((x) => !values.only || x.name === values.only)) {
    for (const photo of GALLERY_PHOTOS) {
      const out = join(tmp, `${r.name}-${photo}.png`);
      const set: Record<string, string> = { input: join(tmp, `${photo}.png`), output: out };
      if (values.steps !== undefined && r.params.includes('steps')) set.steps = values.steps;
      const t0 = performance.now();
      // Recipes made for big photos (print.yaml) have more octaves than a small picture holds: drop octaves until
      // the smallest fits the layers.
      for (;;) {
        try {
          await runner.run(join(root, 'pipelines', r.file), { set, workDir: root });
          break;
        } catch (e) {
          const tooSmall = (e as { code?: string }).code === 'E_INPUT_TOO_SMALL';
          const octaves = Number(set.octaves ?? r.defaults.octaves);
          if (!tooSmall || !r.params.includes('octaves') || !(octaves > 1)) throw e;
          set.octaves = String(octaves - 1);
          console.log(`${r.file} on ${photo}: too small for ${octaves} octaves, trying ${octaves - 1}`);
        }
      }
      await sharp(out).jpeg({ quality: 70, mozjpeg: true }).toFile(join(root, 'docs/gallery', galleryImage(r.name, photo)));
      console.log(`${r.file} on ${photo}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
} finally {
  runner.dispose();
  rmSync(tmp, { recursive: true, force: true });
}
const readme = join(root, 'README.md');
const text = readFileSync(readme, 'utf8');
const start = text.indexOf(GALLERY_BEGIN);
const stop = text.indexOf(GALLERY_END);
if (start < 0 || stop < start) throw new Error(`README.md lacks the markers ${GALLERY_BEGIN} … ${GALLERY_END}`);
writeFileSync(readme, `${text.slice(0, start + GALLERY_BEGIN.length)}\n${galleryMarkdown(recipes)}\n${text.slice(stop)}`);
console.log(`README.md gallery: ${recipes.length} recipes × ${GALLERY_PHOTOS.length} photos`);
