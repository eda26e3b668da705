/**
 * The live page's HTTP server (fastify): the page and its assets, the state as server-sent events, the images
 * LiveState holds, and the one write (a param of the watched recipe). It listens on 127.0.0.1 only and every
 * request passes `refusal` (token, Host, Origin; see access.ts). Nothing else on disk is reachable: the page
 * reads images from memory, and the write goes to the watched recipe's `params:` only.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { DreamflowError } from '../errors/dreamflow-error.ts';
import { newToken, refusal } from './access.ts';
import { pageAsset, pageHtml } from './assets.ts';
import type { LiveState } from './live-state.ts';
import { writeParam } from './param-write.ts';

export interface LiveServer {
  /** The page's address, token included. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** 0: any free port. */
  port: number;
  /** The watched recipe: the only file the page may write (its `params:`). */
  recipe: string;
  state: LiveState;
  /** Fixed token (tests); default: a fresh random one. */
  token?: string;
}

/** The browser may load only what this server sends; mermaid styles its SVG inline. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
};

export async function startLiveServer(opts: ServeOptions): Promise<LiveServer> {
  const token = opts.token ?? newToken();
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  let port = opts.port;
  const sse = new Set<() => void>();

  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const refused = refusal(
      {
        method: req.method,
        host: header('host'),
        origin: header('origin'),
        secFetchSite: header('sec-fetch-site'),
        token: (req.query as Record<string, unknown> | undefined)?.token,
      },
      { port, token },
    );
    if (refused) return reply.code(refused.status).type('text/plain').send(`refused: ${refused.reason}\n`);
  });

  routes(app, opts, token, sse);
  await app.listen({ host: '127.0.0.1', port: opts.port });
  port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: async () => {
      for (const end of sse) end();
      await app.close();
    },
  };
}

function routes(app: FastifyInstance, opts: ServeOptions, token: string, sse: Set<() => void>): void {
  const { state } = opts;
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(await pageHtml(token)));

  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const asset = await pageAsset(req.params.name);
    if (!asset) return reply.code(404).send();
    return reply.type(asset.type).send(asset.body);
  });

  app.get('/api/state', async () => state.snapshot);

  app.get<{ Params: { id: string } }>('/api/image/:id', async (req, reply) => {
    const img = state.image(req.params.id);
    if (!img) return reply.code(404).send();
    return reply.type(img.type).send(img.bytes);
  });

  app.get('/api/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    const unsubscribe = state.subscribe((snap) => res.write(`event: state\ndata: ${JSON.stringify(snap)}\n\n`));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const end = () => {
      clearInterval(keepAlive);
      unsubscribe();
      sse.delete(end);
      res.end();
    };
    sse.add(end);
    req.raw.on('close', end);
  });

  app.post<{ Body: { name?: unknown; value?: unknown } }>('/api/params', async (req, reply) => {
    const p = state.current;
    const { name, value } = req.body ?? {};
    if (typeof name !== 'string' || !('value' in (req.body ?? {}))) {
      return reply.code(400).send({ code: 'E_USAGE', message: 'expected a JSON body { "name": …, "value": … }' });
    }
    if (!p) return reply.code(409).send({ code: 'E_NOT_READY', message: 'the recipe has not been loaded yet' });
    try {
      await writeParam(opts.recipe, p, name, value);
    } catch (e) {
      if (e instanceof DreamflowError) return reply.code(422).send({ code: e.code, message: e.message });
      throw e;
    }
    return { ok: true };
  });
}
