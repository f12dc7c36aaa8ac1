/**
 * Link mode (config.recordings.mode = 'link'): instead of uploading the file, the call's CRM
 * activity gets an HTML description with an <audio> player and a link to the file on this
 * server (DESCRIPTION_TYPE 3), offered to hook 14 customize_attach_record_url. Pure functions.
 *
 * Bitrix24 (a cloud service) and the user's browser must reach the URL, so a base URL on a
 * loopback / private / link-local address or a single-label host name is refused.
 */
import { recError, REC_CODES } from './errors.js';

export const DESCRIPTION_TYPE_HTML = 3;

export interface RecordLinkFields {
  readonly DESCRIPTION: string;
  readonly DESCRIPTION_TYPE: number;
}

function ipv4Private(a: number, b: number): boolean {
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

/** Is `host` (a URL hostname: name, IPv4, or [IPv6]) unreachable from the internet? */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === '' || h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) return ipv4Private(Number(v4[1]), Number(v4[2]));
  if (h.includes(':')) {
    const mapped = /^::ffff:(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
    if (mapped) return ipv4Private(Number(mapped[1]), Number(mapped[2]));
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(h);
    if (hexMapped) {
      const hi = parseInt(hexMapped[1]!, 16);
      return ipv4Private(hi >> 8, hi & 0xff);
    }
    // ::, ::1, unique-local fc00::/7, link-local fe80::/10, multicast ff00::/8
    return h === '::' || h === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h) || /^ff[0-9a-f]{0,2}:/.test(h);
  }
  // Single-label names (pbx, asterisk) and private-use suffixes never resolve on the internet.
  if (!h.includes('.')) return true;
  return /\.(local|lan|internal|intranet|home|corp|private|localdomain|home\.arpa)$/.test(h);
}

/** The public URL of a recording file under `publicBaseUrl`; throws REC_LINK_* when unusable. */
export function recordPublicUrl(publicBaseUrl: string | undefined, fileName: string): string {
  if (publicBaseUrl === undefined || publicBaseUrl.trim() === '') {
    throw recError(REC_CODES.LINK_NO_BASE_URL, 'recordings.mode is "link" but recordings.publicBaseUrl is not set');
  }
  let base: URL;
  try {
    base = new URL(publicBaseUrl);
  } catch (e) {
    throw recError(REC_CODES.LINK_NO_BASE_URL, `recordings.publicBaseUrl is not a URL`, { cause: e });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw recError(REC_CODES.LINK_NO_BASE_URL, `recordings.publicBaseUrl must be http(s), not ${base.protocol}`);
  }
  if (isPrivateHost(base.hostname)) {
    throw recError(REC_CODES.LINK_PRIVATE_URL,
      `recordings.publicBaseUrl host ${base.hostname} is private: Bitrix24 and users' browsers cannot fetch it`,
      { details: { host: base.hostname } });
  }
  const path = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return `${base.origin}${path}${encodeURIComponent(fileName)}${base.search}`;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * The activity fields for link mode: `<audio controls src=URL></audio><br><a href=URL>label</a>`
 * (the shape of the hook 14 sample), DESCRIPTION_TYPE 3 (HTML).
 */
export function recordLinkFields(url: string, label = 'Recording'): RecordLinkFields {
  const u = escapeHtml(url);
  return {
    DESCRIPTION: `<audio controls preload="none" src="${u}"></audio><br><a href="${u}" target="_blank">${escapeHtml(label)}</a>`,
    DESCRIPTION_TYPE: DESCRIPTION_TYPE_HTML,
  };
}
