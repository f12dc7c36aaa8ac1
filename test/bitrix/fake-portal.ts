/**
 * A small fake Bitrix24 portal for the client's integration tests (until tools/b24-emu exists):
 * webhook and OAuth paths, an OAuth token endpoint with rotation, a strict leaky bucket
 * (503 QUERY_LIMIT_EXCEEDED), scripted faults, a `batch` that really parses PHP bracket queries
 * and substitutes `$result[…]` references, and PHP's `[]` for empty members.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type MethodHandler = (params: Record<string, unknown>) => unknown;

export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
  readonly raw?: string;
}

export interface FakePortalOptions {
  readonly webhookUser?: number;
  readonly webhookSecret?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Enforce a bucket of this size (drain per second below); off when undefined. */
  readonly bucket?: { capacity: number; drainPerSec: number };
}

export interface RecordedRequest {
  readonly method: string;
  readonly via: 'webhook' | 'oauth';
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export class FakePortal {
  url = '';
  readonly webhookUser: number;
  readonly webhookSecret: string;
  readonly clientId: string;
  readonly clientSecret: string;
  accessToken = 'access-0';
  refreshToken = 'refresh-0';
  /** Tokens answered with `expired_token` (e.g. after expireAccessToken()). */
  readonly expired = new Set<string>();
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: Array<{ method: string; params: Record<string, string> }> = [];
  readonly methods = new Map<string, MethodHandler>();
  readonly faults: FakeReply[] = [];
  rejected503 = 0;
  tokenDelayMs = 0;
  /** Delay before every REST answer (timeouts). */
  restDelayMs = 0;
  private level = 0;
  private levelAt = Date.now();
  private tokenSeq = 0;
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly bucket: { capacity: number; drainPerSec: number } | undefined;

  constructor(opts: FakePortalOptions = {}) {
    this.webhookUser = opts.webhookUser ?? 1;
    this.webhookSecret = opts.webhookSecret ?? 'hooksecret123';
    this.clientId = opts.clientId ?? 'local.app.1';
    this.clientSecret = opts.clientSecret ?? 'clientsecretXYZ';
    this.bucket = opts.bucket;
    this.methods.set('user.get', (p) => [{ ID: '1', NAME: 'Ann', echo: p }]);
    this.methods.set('user.current', () => ({ ID: '1', UF_DEPARTMENT: [7] }));
    this.methods.set('department.get', (p) => [{ ID: String(p.ID), NAME: 'DEMO' }]);
  }

  get webhookUrl(): string {
    return `${this.url}/rest/${this.webhookUser}/${this.webhookSecret}/`;
  }

  get clientEndpoint(): string {
    return `${this.url}/rest/`;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth/token/`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  expireAccessToken(): void {
    this.expired.add(this.accessToken);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', this.url);
    if (u.pathname === '/oauth/token/') return this.token(req.method ?? 'GET', u, text, res);
    const reply = this.rest(u.pathname, text);
    if (this.restDelayMs) await new Promise((r) => setTimeout(r, this.restDelayMs));
    if (res.destroyed) return;
    if (reply.raw !== undefined) {
      res.writeHead(reply.status, { 'Content-Type': 'text/html' }).end(reply.raw);
      return;
    }
    res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.body));
  }

  private rest(path: string, text: string): FakeReply {
    const hook = /^\/rest\/(\d+)\/([^/]+)\/([^/]+?)(\.json)?$/.exec(path);
    const oauth = /^\/rest\/([^/]+?)(\.json)?$/.exec(path);
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return err(400, 'INVALID_REQUEST', 'bad json');
    }
    let method: string;
    let via: 'webhook' | 'oauth';
    if (hook) {
      if (Number(hook[1]) !== this.webhookUser || hook[2] !== this.webhookSecret) {
        return err(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
      }
      method = hook[3]!.toLowerCase();
      via = 'webhook';
    } else if (oauth) {
      method = oauth[1]!.toLowerCase();
      via = 'oauth';
      if (this.expired.has(String(body.auth))) return err(401, 'expired_token', 'The access token provided has expired');
      if (body.auth !== this.accessToken) return err(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    } else {
      return { status: 404, raw: '<html>not found</html>' };
    }
    const params = { ...body };
    delete params.auth;
    this.requests.push({ method, via, body: params, at: Date.now() });
    if (this.bucket && !this.admit()) {
      this.rejected503++;
      return err(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
    }
    const fault = this.faults.shift();
    if (fault) return fault;
    if (method === 'batch') return ok(this.batch(params));
    const h = this.methods.get(method);
    if (!h) return err(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
    try {
      return ok(h(params));
    } catch (e) {
      return err(400, 'ERROR_CORE', (e as Error).message);
    }
  }

  private admit(): boolean {
    const now = Date.now();
    const b = this.bucket!;
    this.level = Math.max(0, this.level - ((now - this.levelAt) / 1000) * b.drainPerSec);
    this.levelAt = now;
    if (this.level + 1 > b.capacity) return false;
    this.level += 1;
    return true;
  }

  private batch(params: Record<string, unknown>): unknown {
    const cmd = params.cmd as Record<string, string>;
    const result: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    const times: Record<string, unknown> = {};
    for (const [key, line] of Object.entries(cmd)) {
      const q = line.indexOf('?');
      const method = (q < 0 ? line : line.slice(0, q)).toLowerCase();
      const p = substituteRefs(parseStr(q < 0 ? '' : line.slice(q + 1)), result);
      const h = this.methods.get(method);
      times[key] = { start: 1, finish: 2, duration: 1, processing: 1, date_start: 'x', date_finish: 'y' };
      if (!h) {
        errors[key] = { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' };
        continue;
      }
      try {
        result[key] = h(p);
      } catch (e) {
        errors[key] = { error: 'ERROR_CORE', error_description: (e as Error).message };
      }
    }
    const php = (o: Record<string, unknown>): unknown => (Object.keys(o).length === 0 ? [] : o);
    return { result: php(result), result_error: php(errors), result_total: [], result_next: [], result_time: php(times) };
  }

  private async token(httpMethod: string, u: URL, text: string, res: ServerResponse): Promise<void> {
    const params = Object.fromEntries(httpMethod === 'POST' ? new URLSearchParams(text) : u.searchParams);
    this.tokenRequests.push({ method: httpMethod, params });
    if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    if (params.client_id !== this.clientId || params.client_secret !== this.clientSecret) {
      return send(401, { error: 'invalid_client', error_description: 'Invalid client' });
    }
    if (params.grant_type !== 'refresh_token' || params.refresh_token !== this.refreshToken) {
      return send(400, { error: 'invalid_grant', error_description: 'Invalid grant' });
    }
    this.tokenSeq++;
    this.accessToken = `access-${this.tokenSeq}`;
    this.refreshToken = `refresh-${this.tokenSeq}`;
    send(200, {
      access_token: this.accessToken, refresh_token: this.refreshToken, expires_in: 3600,
      expires: Math.floor(Date.now() / 1000) + 3600, client_endpoint: this.clientEndpoint,
      server_endpoint: `${this.url}/rest/`, domain: 'oauth.bitrix.info', member_id: 'member-1',
      scope: 'telephony,crm,user', status: 'L', user_id: 1,
    });
  }
}

function ok(result: unknown): FakeReply {
  return { status: 200, body: { result, time: { start: 1, finish: 1.1, duration: 0.1, operating: 0.1, operating_reset_at: 2 } } };
}

function err(status: number, error: string, description: string): FakeReply {
  return { status, body: { error, error_description: description } };
}

/** PHP parse_str, enough for the client's encoder: `a[b][0]=x` → nested objects. */
export function parseStr(q: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!q) return out;
  for (const part of q.split('&')) {
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1));
    const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(name);
    if (!m) continue;
    const keys = [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)];
    let node = out;
    keys.forEach((k, i) => {
      if (i === keys.length - 1) node[k] = value;
      else node = (node[k] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

function substituteRefs(v: unknown, results: Record<string, unknown>): Record<string, unknown> {
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') {
      const m = /^\$result((?:\[[^\]]*\])+)$/.exec(x);
      if (!m) return x;
      const path = [...m[1]!.matchAll(/\[([^\]]*)\]/g)].map((y) => y[1]!);
      let cur: unknown = results;
      for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
      return cur;
    }
    if (x && typeof x === 'object') {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>).map(([k, y]) => [k, walk(y)]));
    }
    return x;
  };
  return walk(v) as Record<string, unknown>;
}
