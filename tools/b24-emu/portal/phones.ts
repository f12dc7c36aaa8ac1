/**
 * Phone numbers as the portal sees them.
 *
 * - register strips letters from PHONE_NUMBER and refuses a number with no digits left
 *   ("Unsupported phone number format", reference §6.2; §11 item 2).
 * - CRM matching (register, searchCrmEntities, crm.duplicate.findbycomm) compares numbers after
 *   normalisation to international digits, the way the CRM duplicate index does: punctuation and
 *   an extension are dropped, `+`/`00` prefixes removed, and — when the portal has a phone country —
 *   a national form is turned into the international one (RU/KZ `8XXXXXXXXXX` → `7XXXXXXXXXX`,
 *   a bare national number gets the country code). Numbers that only share a tail do NOT match:
 *   the docs' own examples use 79062195047, 19062195047 and 499062195047 for different clients.
 */

export interface PhoneCountry {
  /** Calling code without '+', e.g. "7", "49"; "" = no national handling. */
  readonly code: string;
  /** Length of a national significant number (10 for RU/US/DE mobile), 0 = unknown. */
  readonly nationalLength: number;
  /** Trunk prefix used in national dialling ("8" in RU, "0" in DE), "" if none. */
  readonly trunkPrefix: string;
}

export const NO_COUNTRY: PhoneCountry = { code: '', nationalLength: 0, trunkPrefix: '' };

const KNOWN: Record<string, PhoneCountry> = {
  RU: { code: '7', nationalLength: 10, trunkPrefix: '8' },
  KZ: { code: '7', nationalLength: 10, trunkPrefix: '8' },
  BY: { code: '375', nationalLength: 9, trunkPrefix: '8' },
  UA: { code: '380', nationalLength: 9, trunkPrefix: '0' },
  US: { code: '1', nationalLength: 10, trunkPrefix: '1' },
  DE: { code: '49', nationalLength: 0, trunkPrefix: '0' },
  GB: { code: '44', nationalLength: 10, trunkPrefix: '0' },
};

export function phoneCountry(iso: unknown): PhoneCountry {
  return typeof iso === 'string' ? (KNOWN[iso.toUpperCase()] ?? NO_COUNTRY) : NO_COUNTRY;
}

/** Splits off an extension written as `,123`, `;123`, `#123`, `ext 123`, `доб. 123`. */
export function splitExtension(raw: string): { number: string; extension: string } {
  const m = /^(.*?)(?:\s*(?:[,;#]|\bext\.?|\bx\b|доб\.?)\s*(\d+))$/i.exec(raw.trim());
  if (m && /\d/.test(m[1] ?? '')) return { number: (m[1] ?? '').trim(), extension: m[2] ?? '' };
  return { number: raw.trim(), extension: '' };
}

/** register's form of the client number: letters removed, `null` when no digit is left. */
export function stripLetters(raw: string): string | null {
  const s = raw.replace(/[^\d+*#]/g, '');
  return /\d/.test(s) ? s : null;
}

/** Digits used for CRM matching; "" when the value has no digits. */
export function matchKey(raw: string, country: PhoneCountry): string {
  const { number } = splitExtension(raw);
  const plus = number.trimStart().startsWith('+');
  let digits = number.replace(/\D/g, '');
  if (digits === '') return '';
  if (plus) return digits;
  if (digits.startsWith('00')) return digits.slice(2);
  if (country.code === '') return digits;
  const n = country.nationalLength;
  if (country.trunkPrefix !== '' && digits.startsWith(country.trunkPrefix) && n > 0 &&
      digits.length === n + country.trunkPrefix.length && !digits.startsWith(country.code)) {
    digits = digits.slice(country.trunkPrefix.length);
  }
  if (n > 0 && digits.length === n) return country.code + digits;
  return digits;
}

export function samePhone(a: string, b: string, country: PhoneCountry): boolean {
  const ka = matchKey(a, country);
  return ka !== '' && ka === matchKey(b, country);
}

/** E.164 form for ONEXTERNALCALLSTART's PHONE_NUMBER_INTERNATIONAL. */
export function toInternational(raw: string, country: PhoneCountry): string {
  const key = matchKey(raw, country);
  return key === '' ? '' : `+${key}`;
}
