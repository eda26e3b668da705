// Which modules under src/ the quick suite reaches (npm run coverage:modules): follows every relative import
// (static, dynamic and the runtime's lazy('…') loads) from the quick test files, through test helpers, src/ and
// the CLI entry (bin/) that CLI tests start. Prints JSON: modules no quick test reaches (`unreached`) and
// modules reached only through others (`indirect`: no test or test helper imports them itself).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A relative path to a module in a string literal: imports, import(), lazy('…'), new URL('…', import.meta.url). */
const SPECIFIER = /['"](\.{1,2}\/[^'"\s]+\.(?:ts|mjs|js))['"]/g;
/** The bin runs the build (`../dist/cli/main.js`): count it as the source it is built from. */
const fromBuild = (f: string) => f.replace(`${join(ROOT, 'dist')}/`, `${join(ROOT, 'src')}/`).replace(/\.js$/, '.ts');

function filesUnder(dir: string, keep: (f: string) => boolean): string[] {
  const abs = join(ROOT, dir);
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => join(abs, f))
    .filter(keep);
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(SPECIFIER)].map((m) => fromBuild(resolve(dirname(file), m[1]!))).filter((f) => existsSync(f));
}

export interface ModuleCoverage {
  /** src modules (relative to the repository) that no quick test reaches */
  unreached: string[];
  /** src modules reached, but imported by no test file or test helper directly */
  indirect: string[];
}

export function moduleCoverage(): ModuleCoverage {
  const quickTests = filesUnder('test', (f) => f.endsWith('.test.ts') && !relative(join(ROOT, 'test'), f).startsWith('e2e'));
  const srcModules = filesUnder('src', (f) => f.endsWith('.ts'));
  const testSide = (f: string) => f.startsWith(join(ROOT, 'test'));
  const reached = new Set<string>();
  const direct = new Set<string>();
  const stack = [...quickTests];
  while (stack.length) {
    const file = stack.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    for (const dep of importsOf(file)) {
      if (testSide(file)) direct.add(dep);
      stack.push(dep);
    }
  }
  const rel = (f: string) => relative(ROOT, f);
  return {
    unreached: srcModules.filter((f) => !reached.has(f)).map(rel).sort(),
    indirect: srcModules.filter((f) => reached.has(f) && !direct.has(f)).map(rel).sort(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(moduleCoverage(), null, 2));
}
