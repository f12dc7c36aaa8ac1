/**
 * Finds the file(s) of a call's recordings. The tracker gives MIXMONITOR_FILENAME values: usually
 * absolute paths, sometimes bare names (a relative MixMonitor argument, CDR(recordingfile)) or
 * names without an extension (FreePBX's CALLFILENAME). The file may also sit elsewhere than the
 * PBX said (the connector runs in a container with another mount point, or FreePBX's YYYY/MM/DD
 * folders), so every configured dir is tried with the usual layouts.
 *
 * Candidate generation is pure (`recordingCandidates`); `locateRecordings` only stats them.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** Extensions Asterisk writes (wav, WAV = wav49/GSM-in-WAV, gsm, raw codecs) plus mp3. */
export const AUDIO_EXTENSIONS = ['.wav', '.WAV', '.mp3', '.gsm', '.wav49', '.ulaw', '.alaw', '.sln', '.g722'] as const;

export interface LocateInput {
  /** Recording names of the call (CallSummary.recordings). */
  readonly names: readonly string[];
  /** Epoch ms of the call (start, end): they select the YYYY/MM/DD folders to look in. */
  readonly times?: readonly number[];
  /**
   * Asterisk ids (linkedid, uniqueids). Only used when `names` is empty: a file in a searched
   * folder whose name contains one of them (FreePBX and most dialplans put ${UNIQUEID} in it).
   */
  readonly ids?: readonly string[];
}

export interface LocateOptions {
  /** config.recordings.dirs */
  readonly dirs: readonly string[];
  /** Minutes east of UTC the PBX dates its folders in; default: this host's zone at that time. */
  readonly utcOffsetMinutes?: number;
  /** Told about paths that could not be checked (EACCES on a folder …); they count as absent. */
  readonly onProblem?: (path: string, code: string) => void;
}

export interface LocatedRecording {
  /** The name as the call gave it ('' for files found by id). */
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

const hasAudioExt = (name: string): boolean => /\.(wav|mp3|gsm|wav49|ulaw|alaw|sln|g722)$/i.test(name);

/** `YYYY/MM/DD` parts of an epoch-ms time at a fixed offset. */
function dateParts(ms: number, offsetMinutes: number): [string, string, string] {
  const d = new Date(ms + offsetMinutes * 60_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return [String(d.getUTCFullYear()), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())];
}

/** Dates written in a file name: `20261122` (FreePBX) or `2017-12-26` (common dialplans). */
export function datesInName(name: string): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const m of name.matchAll(/(?<!\d)(20\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)/g)) {
    out.push([m[1]!, m[2]!, m[3]!]);
  }
  return out;
}

/** Date sub-folders to try, most likely first, without repeats. */
export function dateFolders(name: string, times: readonly number[], offsetOf: (ms: number) => number): string[] {
  const parts: Array<[string, string, string]> = [...datesInName(name)];
  for (const t of times) {
    parts.push(dateParts(t, offsetOf(t)));
    parts.push(dateParts(t, 0));
  }
  const out = new Set<string>();
  for (const [y, m, d] of parts) {
    out.add(`${y}/${m}/${d}`);
    out.add(`${y}-${m}-${d}`);
  }
  return [...out];
}

/** Names to look for: the name itself, or name + each audio extension when it has none. */
function fileNames(base: string): string[] {
  if (hasAudioExt(base)) {
    // A dialplan post-processing step may have left an mp3 next to (or instead of) the wav.
    const stem = base.replace(/\.[^.]+$/, '');
    return base.toLowerCase().endsWith('.mp3') ? [base] : [base, `${stem}.mp3`];
  }
  return AUDIO_EXTENSIONS.map((e) => `${base}${e}`);
}

/**
 * Every path where the recording `name` may be, in the order they are tried: the name as given
 * (absolute, or with each extension), then per dir: the relative name, the bare name, and the
 * bare name in each date folder.
 */
export function recordingCandidates(name: string, dirs: readonly string[], folders: readonly string[]): string[] {
  const n = name.trim();
  if (n === '') return [];
  const out = new Set<string>();
  const base = posix.basename(n);
  const absolute = n.startsWith('/');
  const dirOf = posix.dirname(n);
  if (absolute) for (const f of fileNames(base)) out.add(posix.join(dirOf, f));
  for (const dir of dirs) {
    if (!absolute && dirOf !== '.') for (const f of fileNames(base)) out.add(join(dir, dirOf, f));
    for (const f of fileNames(base)) out.add(join(dir, f));
    for (const folder of folders) for (const f of fileNames(base)) out.add(join(dir, folder, f));
  }
  return [...out];
}

/** Size of a regular file, or undefined when it is absent (or not a file). Other errors throw. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

function idPattern(id: string): RegExp {
  const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // 1795322861.5 must not match 1795322861.50
  return new RegExp(`(^|[^0-9])${esc}([^0-9]|$)`);
}

async function findByIds(ids: readonly string[], dirs: readonly string[], folders: readonly string[]): Promise<LocatedRecording[]> {
  const patterns = ids.filter((i) => i.trim() !== '').map(idPattern);
  if (patterns.length === 0) return [];
  const found: LocatedRecording[] = [];
  const searched = new Set<string>();
  for (const dir of dirs) {
    for (const sub of ['', ...folders]) {
      const folder = sub === '' ? dir : join(dir, sub);
      if (searched.has(folder)) continue;
      searched.add(folder);
      const entries = await readdir(folder).catch(() => [] as string[]);
      for (const entry of entries) {
        if (!hasAudioExt(entry) || !patterns.some((p) => p.test(entry))) continue;
        const path = join(folder, entry);
        const size = await fileSize(path).catch(() => undefined);
        if (size !== undefined) found.push({ name: '', path, size });
      }
    }
  }
  return found;
}

/**
 * The recordings of a call that exist right now: for each name the first existing candidate
 * (see `recordingCandidates`); without names, files named after the call's ids. No duplicates.
 */
export async function locateRecordings(input: LocateInput, options: LocateOptions): Promise<LocatedRecording[]> {
  const times = input.times ?? [];
  const offsetOf = options.utcOffsetMinutes === undefined
    ? (ms: number) => -new Date(ms).getTimezoneOffset()
    : () => options.utcOffsetMinutes!;
  const found: LocatedRecording[] = [];
  const seen = new Set<string>();
  for (const name of input.names) {
    const folders = dateFolders(name, times, offsetOf);
    for (const path of recordingCandidates(name, options.dirs, folders)) {
      const size = await fileSize(path).catch((e: unknown) => {
        options.onProblem?.(path, (e as NodeJS.ErrnoException).code ?? 'ERROR');
        return undefined;
      });
      if (size === undefined) continue;
      if (!seen.has(path)) found.push({ name, path, size });
      seen.add(path);
      break;
    }
  }
  if (input.names.length === 0 && input.ids && input.ids.length > 0) {
    const folders = dateFolders('', times, offsetOf);
    for (const f of await findByIds(input.ids, options.dirs, folders)) {
      if (!seen.has(f.path)) found.push(f);
      seen.add(f.path);
    }
  }
  return found;
}
