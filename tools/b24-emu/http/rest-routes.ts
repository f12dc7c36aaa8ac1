/**
 * `/rest/…`: incoming webhooks (`/rest/{userId}/{secret}/{method}[.json]`) and OAuth calls
 * (`/rest/{method}[.json]` with `auth=`), reference §1.1 and §2. Order of checks per request:
 * injected faults → request bucket (§3.1) → body → credentials → method (batch, upload or portal).
 */
import type { Context } from 'hono';
import { B24ApiError } from '../contract.js';
import { SYS, errorBody, toApiError } from './envelope.js';
import { readRequestParams } from './request-params.js';
import type { RequestParams } from './request-params.js';
import { callOne, replyFor, runBatch } from './rest-engine.js';
import type { Caller, Reply } from './rest-engine.js';
import type { EmuRuntime } from './runtime.js';

interface RestTarget {
  readonly kind: 'webhook' | 'oauth';
  readonly method: string;
  readonly userId?: number;
  readonly secret?: string;
}

/** Splits the path after `/rest/`; the `.json`/`.xml` suffix is dropped (answers are JSON). */
export function parseRestPath(pathname: string): RestTarget | null {
  const rest = pathname.replace(/^\/rest\//, '').replace(/\/+$/, '');
  const parts = rest.split('/').map((p) => decodeURIComponent(p));
  const strip = (m: string) => m.replace(/\.(json|xml)$/i, '');
  if (parts.length === 1 && parts[0]) return { kind: 'oauth', method: strip(parts[0]) };
  if (parts.length === 3 && /^\d+$/.test(parts[0] ?? '') && parts[1] && parts[2]) {
    return { kind: 'webhook', userId: Number(parts[0]), secret: parts[1], method: strip(parts[2]) };
  }
  return null;
}

function remoteKey(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'in-process';
}

function errorReply(e: B24ApiError): Reply {
  return { status: e.status, body: { ...errorBody(e) }, error: e };
}

/** 5xx answers of the fault injector: Bitrix24 envelopes for 500/503, a proxy page otherwise. */
function injected5xx(status: number): Response {
  if (status === 500) return Response.json(errorBody(SYS.internal()), { status });
  if (status === 503) return Response.json(errorBody(SYS.overload()), { status });
  const html = `<html><head><title>${status}</title></head><body><h1>${status}</h1><hr>nginx</body></html>`;
  return new Response(html, { status, headers: { 'content-type': 'text/html' } });
}

/** Credentials → caller, or the documented auth error (§1.4). */
function authenticate(rt: EmuRuntime, target: RestTarget, params: Record<string, unknown>, optional: boolean): Caller | B24ApiError | null {
  if (target.kind === 'webhook') {
    const ok = rt.tokens.checkWebhook(target.userId ?? -1, target.secret ?? '');
    return ok ? { authType: 'webhook', userId: target.userId ?? 0 } : SYS.noAuth();
  }
  const token = params['auth'] ?? params['AUTH'];
  if (typeof token !== 'string' || token === '') return optional ? null : SYS.noAuth();
  const check = rt.tokens.checkAccess(token);
  if (check.ok) return { authType: 'oauth', userId: check.userId, clientId: check.clientId };
  if (check.reason === 'expired') return SYS.expiredToken();
  return rt.unknownTokenError === 'invalid_token' ? SYS.invalidToken() : SYS.noAuth();
}

/** The second step of attachRecord without FILE_CONTENT: the file arrives here (§6.5). */
function handleUpload(rt: EmuRuntime, req: RequestParams, now: number): Reply {
  const token = req.params['token'];
  if (typeof token !== 'string' || token === '') {
    return errorReply(new B24ApiError('ERROR_CORE', 'Upload token is not set', 400));
  }
  const file = req.files.find((f) => f.field === 'file') ?? req.files[0];
  const bytes = file?.bytes ?? req.raw;
  if (!bytes) return errorReply(new B24ApiError('ERROR_CORE', 'File content is empty.', 400));
  const nameParam = req.params['filename'] ?? req.params['FILENAME'];
  const name = file?.name || (typeof nameParam === 'string' ? nameParam : '');
  try {
    const out = rt.portal().completeUpload(token, bytes, name, now);
    // The portal answers a MethodResult; a bare value is taken as the result itself.
    const result = out && typeof out === 'object' && 'result' in out ? (out as { result: unknown }).result : out;
    return { status: 200, body: { result: result ?? true } };
  } catch (e) {
    return errorReply(toApiError(e));
  }
}

function logReply(rt: EmuRuntime, c: Context, target: RestTarget | null, caller: Caller | null, params: unknown, reply: Reply, now: number): void {
  const method = target?.method ?? '';
  const low = method.toLowerCase();
  rt.log.add({
    at: now,
    kind: low === 'batch' ? 'batch' : low === 'upload' ? 'upload' : 'rest',
    httpMethod: c.req.method,
    path: new URL(c.req.url).pathname + new URL(c.req.url).search,
    method,
    ...(caller ? { authType: caller.authType, userId: caller.userId } : {}),
    params,
    status: reply.status,
    ...(reply.error ? { error: reply.error.error, error_description: reply.error.description } : {}),
    ...(reply.time ? { time: reply.time } : {}),
    ...(reply.status === 200 && low !== 'batch' && reply.body && typeof reply.body === 'object' && 'result' in reply.body
      ? { result: (reply.body as { result: unknown }).result } : {}),
  });
}

export async function handleRest(rt: EmuRuntime, c: Context): Promise<Response> {
  const now = rt.clock.now();
  const target = parseRestPath(new URL(c.req.url).pathname);
  const status5xx = rt.faults.take5xx();
  if (status5xx !== null) {
    logReply(rt, c, target, null, {}, { status: status5xx, body: {} }, now);
    return injected5xx(status5xx);
  }
  let reply: Reply;
  let caller: Caller | null = null;
  let params: Record<string, unknown> = {};
  if (rt.faults.takeRateLimit() || !rt.bucket.take(remoteKey(c), now)) {
    reply = errorReply(SYS.queryLimit());
  } else if (!target) {
    reply = errorReply(SYS.methodNotFound());
  } else {
    try {
      const req = await readRequestParams(c.req.raw);
      params = req.params;
      reply = runTarget(rt, target, req, now, (who) => (caller = who));
    } catch (e) {
      reply = errorReply(toApiError(e));
    }
  }
  const { auth: _auth, ...loggedParams } = params;
  logReply(rt, c, target, caller, loggedParams, reply, now);
  return c.json(reply.body, reply.status as 200);
}

function runTarget(rt: EmuRuntime, target: RestTarget, req: RequestParams, now: number, setCaller: (c: Caller) => void): Reply {
  const low = target.method.toLowerCase();
  const isUpload = low === 'upload';
  const who = authenticate(rt, target, req.params, isUpload);
  if (who instanceof B24ApiError) return errorReply(who);
  if (who) setCaller(who);
  if (isUpload) return handleUpload(rt, req, now);
  if (!who) return errorReply(SYS.noAuth());
  const params = { ...req.params };
  delete params['auth'];
  delete params['AUTH'];
  if (low === 'batch') {
    return runBatch(rt.engine, params, who, now, (cmd) =>
      rt.log.add({
        at: now,
        kind: 'rest',
        httpMethod: 'BATCH',
        path: `batch:${cmd.key}`,
        method: cmd.method,
        authType: who.authType,
        userId: who.userId,
        params: cmd.params,
        status: cmd.error ? 0 : 200,
        ...(cmd.error ? { error: cmd.error.error, error_description: cmd.error.error_description } : {}),
        ...(cmd.result !== undefined ? { result: cmd.result } : {}),
      }),
    );
  }
  return replyFor(callOne(rt.engine, target.method, params, who, now));
}
