/**
 * Who may talk to the live page's server. It listens on 127.0.0.1 only; on top of that every request must
 * - carry the random token of this run (`?token=`), compared in constant time;
 * - name this server in its Host header (a DNS-rebinding page reaches 127.0.0.1 under its own host name);
 * - come from the page itself: an Origin header, when sent, must be this server's, and a browser's
 *   Sec-Fetch-Site must be same-origin or none (typed into the address bar). Writes must send Origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenMatches(given: unknown, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  // timingSafeEqual needs equal lengths; comparing the token with itself keeps the time independent of `given`.
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(b, b), false);
}

export interface RequestFacts {
  method: string;
  host?: string;
  origin?: string;
  secFetchSite?: string;
  token?: unknown;
}

/** Why a request is refused (an HTTP status and a short reason), or undefined when it may proceed. */
export function refusal(req: RequestFacts, server: { port: number; token: string }): { status: number; reason: string } | undefined {
  const selves = [`127.0.0.1:${server.port}`, `localhost:${server.port}`];
  if (!req.host || !selves.includes(req.host.toLowerCase())) return { status: 421, reason: 'unexpected Host header' };
  if (req.origin !== undefined && !selves.some((s) => req.origin!.toLowerCase() === `http://${s}`)) {
    return { status: 403, reason: 'cross-origin request refused' };
  }
  if (req.secFetchSite !== undefined && req.secFetchSite !== 'same-origin' && req.secFetchSite !== 'none') {
    return { status: 403, reason: 'cross-site request refused' };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.origin === undefined) {
    return { status: 403, reason: 'a write must come from the page (Origin header)' };
  }
  if (!tokenMatches(req.token, server.token)) return { status: 401, reason: 'missing or wrong token' };
  return undefined;
}
