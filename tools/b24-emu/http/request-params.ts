/**
 * Reads a request's parameters the way the portal's PHP does (reference §1.1): the query string and
 * the body (JSON, form-urlencoded or multipart, bracket keys → nested objects) merged, body over
 * query (PHP's GET-then-POST order). Files from multipart bodies, or a raw body, are kept apart
 * for the upload endpoint.
 */
import { B24ApiError } from '../contract.js';
import { decodePhpPairs, decodeQuery } from './form.js';

export interface UploadedFile {
  readonly field: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface RequestParams {
  readonly params: Record<string, unknown>;
  readonly files: UploadedFile[];
  /** Body bytes when it was neither JSON nor a form (a raw upload). */
  readonly raw?: Uint8Array;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function readRequestParams(req: Request): Promise<RequestParams> {
  const url = new URL(req.url);
  const query = decodeQuery(url.search);
  if (req.method === 'GET' || req.method === 'HEAD') return { params: query, files: [] };
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  if (type.includes('application/json')) {
    const text = await req.text();
    if (text.trim() === '') return { params: query, files: [] };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new B24ApiError('INVALID_REQUEST', 'Request body is not valid JSON', 400);
    }
    return { params: isObject(body) ? { ...query, ...body } : query, files: [] };
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    const body = decodePhpPairs(new URLSearchParams(await req.text()));
    return { params: { ...query, ...body }, files: [] };
  }
  if (type.includes('multipart/form-data')) {
    const form = await req.formData();
    const pairs: Array<[string, string]> = [];
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') pairs.push([field, value]);
      else files.push({ field, name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
    }
    return { params: { ...query, ...decodePhpPairs(pairs) }, files };
  }
  const raw = new Uint8Array(await req.arrayBuffer());
  return raw.length > 0 ? { params: query, files: [], raw } : { params: query, files: [] };
}
