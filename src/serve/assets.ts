/**
 * The page's files: `web/` at the package root (beside src/, so a build to dist/ finds it at the same depth) and
 * Mermaid's browser bundle from `@mermaid-js/tiny` in node_modules. Nothing is fetched from the internet. Read
 * once, kept in memory (about 3 MB, nearly all Mermaid).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const WEB = new URL('../../web/', import.meta.url);

/** The names the page may load, and where each comes from. */
const ASSETS: Record<string, { file: () => string | URL; type: string }> = {
  'app.js': { file: () => new URL('app.js', WEB), type: 'text/javascript; charset=utf-8' },
  'style.css': { file: () => new URL('style.css', WEB), type: 'text/css; charset=utf-8' },
  'mermaid.js': { file: () => createRequire(import.meta.url).resolve('@mermaid-js/tiny'), type: 'text/javascript; charset=utf-8' },
};

const loaded = new Map<string, Promise<Buffer>>();

function load(name: string, file: () => string | URL): Promise<Buffer> {
  let p = loaded.get(name);
  if (!p) {
    p = readFile(file());
    loaded.set(name, p);
    p.catch(() => loaded.delete(name));
  }
  return p;
}

export async function pageAsset(name: string): Promise<{ body: Buffer; type: string } | undefined> {
  if (!Object.hasOwn(ASSETS, name)) return undefined;
  const a = ASSETS[name];
  return { body: await load(name, a.file), type: a.type };
}

/** index.html with the token filled in (the page adds it to every request it makes). */
export async function pageHtml(token: string): Promise<string> {
  const html = (await load('index.html', () => new URL('index.html', WEB))).toString('utf8');
  return html.replaceAll('{{TOKEN}}', encodeURIComponent(token));
}
