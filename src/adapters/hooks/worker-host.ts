/**
 * The code that runs inside a hook module's worker thread. Kept as source text and started with
 * `eval: true`, so the same worker works from the TypeScript sources (tsx) and from dist/ without a
 * second file to ship. It imports the module once (warm), then answers `{id, input}` messages with
 * the JSON text of the module's reply — serialised here, so a module's reply has exactly the
 * JSON semantics of an executable's stdout and its size is known before it crosses threads.
 */

/** Parent → worker. */
export interface WorkerRequest {
  readonly id: number;
  /** The hook input as JSON text. */
  readonly input: string;
}

/** Worker → parent. */
export type WorkerResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'load-failed'; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly log: string; readonly ok: true; readonly text: string }
  | { readonly type: 'reply'; readonly id: number; readonly log: string; readonly ok: false; readonly code: string; readonly message: string };

export interface WorkerData {
  readonly file: string;
  /** Resolved URL of `tsx/esm/api` for .ts modules; undefined for .mjs/.js. */
  readonly tsxApi: string | undefined;
  readonly maxOutputBytes: number;
}

export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { format } = require('node:util');

// console output is collected here and sent WITH the reply: the worker's stdio streams reach the
// parent on another channel and could arrive after the reply.
const MAX_LOG = 8192;
let captured = '';
for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[m] = (...args) => {
    captured += format(...args) + '\n';
    if (captured.length > MAX_LOG) captured = captured.slice(-MAX_LOG);
  };
}

async function load() {
  const url = pathToFileURL(workerData.file).href;
  let mod;
  if (workerData.tsxApi) {
    const api = await import(workerData.tsxApi);
    mod = await api.tsImport(url, url);
  } else {
    mod = await import(url);
  }
  let fn = mod.default;
  // A CommonJS module or a transpiled one may nest the default export once.
  if (fn && typeof fn === 'object' && typeof fn.default === 'function') fn = fn.default;
  if (typeof fn !== 'function') throw new Error('the module has no default export function');
  return fn;
}

const loading = load();
loading.then(
  () => parentPort.postMessage({ type: 'ready' }),
  (e) => parentPort.postMessage({ type: 'load-failed', message: String((e && e.message) || e) }),
);

function answer(id, fields) {
  const log = captured;
  captured = '';
  parentPort.postMessage(Object.assign({ type: 'reply', id, log }, fields));
}

parentPort.on('message', async (msg) => {
  let fn;
  try {
    fn = await loading;
  } catch (e) {
    return answer(msg.id, { ok: false, code: 'HOOK_LOAD_FAILED', message: String((e && e.message) || e) });
  }
  let reply;
  try {
    reply = await fn(JSON.parse(msg.input));
  } catch (e) {
    return answer(msg.id, { ok: false, code: 'HOOK_THREW', message: String((e && e.message) || e) });
  }
  let text;
  try {
    text = JSON.stringify(reply);
  } catch (e) {
    return answer(msg.id, { ok: false, code: 'HOOK_BAD_JSON', message: 'the reply cannot be serialised: ' + String((e && e.message) || e) });
  }
  if (text === undefined) return answer(msg.id, { ok: false, code: 'HOOK_BAD_JSON', message: 'the module returned ' + typeof reply });
  const bytes = Buffer.byteLength(text);
  if (bytes > workerData.maxOutputBytes) {
    return answer(msg.id, { ok: false, code: 'HOOK_OUTPUT_TOO_LARGE', message: 'reply is ' + bytes + ' bytes, cap ' + workerData.maxOutputBytes });
  }
  answer(msg.id, { ok: true, text });
});
`;
