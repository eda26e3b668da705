/**
 * The live page's server, without a browser or a network: who is let in (token in constant time, Host, Origin,
 * Sec-Fetch-Site, writes only with Origin), what it serves (the page with its token, the assets it names, Mermaid
 * from node_modules, images from memory only) and its security headers.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { refusal, tokenMatches } from '../src/serve/access.ts';
import { LiveState } from '../src/serve/live-state.ts';
import { startLiveServer, type LiveServer } from '../src/serve/server.ts';

describe('refusal', () => {
  const server = { port: 4000, token: 'secret-token' };
  const ok = { method: 'GET', host: '127.0.0.1:4000', token: 'secret-token' };

  test('lets the page in: its own host (127.0.0.1 or localhost), its own origin, the token', () => {
    assert.equal(refusal(ok, server), undefined);
    assert.equal(refusal({ ...ok, host: 'localhost:4000', secFetchSite: 'same-origin' }, server), undefined);
    assert.equal(refusal({ ...ok, method: 'POST', origin: 'http://127.0.0.1:4000' }, server), undefined);
    assert.equal(refusal({ ...ok, secFetchSite: 'none' }, server), undefined, 'the URL typed or pasted');
  });

  test('refuses a missing or wrong token, another Host, another origin, a cross-site fetch, a write without Origin', () => {
    const status = (r: Partial<typeof ok> & { origin?: string; secFetchSite?: string }) => refusal({ ...ok, ...r }, server)?.status;
    assert.equal(status({ token: undefined }), 401);
    assert.equal(status({ token: 'secret-tokeN' }), 401);
    assert.equal(status({ token: 'secret' }), 401);
    assert.equal(status({ host: 'evil.example:4000' }), 421);
    assert.equal(status({ host: '127.0.0.1:4001' }), 421);
    assert.equal(status({ host: undefined }), 421);
    assert.equal(status({ origin: 'http://evil.example' }), 403);
    assert.equal(status({ origin: 'http://127.0.0.1:4001' }), 403);
    assert.equal(status({ origin: 'null' }), 403);
    assert.equal(status({ secFetchSite: 'cross-site' }), 403);
    assert.equal(status({ secFetchSite: 'same-site' }), 403);
    assert.equal(status({ method: 'POST' }), 403);
  });

  test('tokenMatches compares whole tokens only', () => {
    assert.equal(tokenMatches('abc', 'abc'), true);
    assert.equal(tokenMatches('abd', 'abc'), false);
    assert.equal(tokenMatches('ab', 'abc'), false);
    assert.equal(tokenMatches(['abc'], 'abc'), false);
  });
});

describe('the server', () => {
  let server: LiveServer;
  const state = new LiveState('p.yaml');
  const token = 'T0ken_for-tests';

  beforeAll(async () => {
    server = await startLiveServer({ port: 0, recipe: '/nonexistent/p.yaml', state, token });
  });
  afterAll(async () => {
    await server.close();
    state.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  test('listens on 127.0.0.1 and its URL carries the token', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/?token=${token}`);
  });

  test('serves the page with the token in every URL it loads, and strict security headers', async () => {
    const page = await get(`/?token=${token}`);
    assert.equal(page.status, 200);
    const urls = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(urls.length >= 3);
    for (const u of urls) assert.ok(u.endsWith(`?token=${token}`), u);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['x-frame-options'], 'DENY');
  });

  test('serves Mermaid from node_modules and only the assets it names', async () => {
    const m = await get(`/assets/mermaid.js?token=${token}`);
    assert.equal(m.status, 200);
    assert.ok(m.body.includes('globalThis["mermaid"]'));
    assert.equal((await get(`/assets/app.js?token=${token}`)).status, 200);
    assert.equal((await get(`/assets/..%2Fpackage.json?token=${token}`)).status, 404);
    assert.equal((await get(`/assets/index.html?token=${token}`)).status, 404);
    assert.equal((await get(`/assets/toString?token=${token}`)).status, 404);
  });

  test('images come from memory only', async () => {
    assert.equal((await get(`/api/image/1?token=${token}`)).status, 404);
    assert.equal((await get(`/api/image/..%2F..%2Fetc%2Fpasswd?token=${token}`)).status, 404);
  });

  test('the state and the event stream need the token', async () => {
    assert.equal((await get('/api/state')).status, 401);
    assert.equal((await get('/api/events')).status, 401);
    const s = await get(`/api/state?token=${token}`);
    assert.equal(s.status, 200);
    assert.equal((JSON.parse(s.body) as { recipe: string }).recipe, 'p.yaml');
  });
});
