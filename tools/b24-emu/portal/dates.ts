/**
 * Portal date/time text: `YYYY-MM-DDThh:mm:ss±hh:mm` in the portal's time zone (reference §10).
 * Times inside the portal are epoch milliseconds; the offset comes from the seed settings.
 */

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

function pad(n: number, width = 2): string {
  return String(Math.trunc(Math.abs(n))).padStart(width, '0');
}

/** Epoch ms → ISO-8601 with the portal offset, seconds precision. */
export function formatIso(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(offsetMinutes);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
  );
}

/**
 * ISO-8601 text → epoch ms. Without an offset the portal's time zone is assumed (the server reads
 * such values in the portal zone). Returns undefined for anything that is not a real date.
 */
export function parseIso(text: string, offsetMinutes: number): number | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s));
  const check = new Date(utc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || Number(h) > 23 || Number(mi) > 59) {
    return undefined;
  }
  let offset = offsetMinutes;
  if (zone === 'Z') offset = 0;
  else if (zone !== undefined) {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offset = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return utc - offset * 60_000;
}

/** Unix seconds (CALL_ID suffix, `ts` of events). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
