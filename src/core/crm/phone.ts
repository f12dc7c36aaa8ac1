/**
 * Phone number normalisation for what is sent to Bitrix24 (client numbers) and for finding users by
 * their inner phone. Pure: libphonenumber-js (max metadata, so that a 10-digit RU mobile without a
 * prefix is not mistaken for a valid KZ number) plus ordered replacement rules.
 *
 * Rules:
 * 1. Trim; `anonymous`, `unknown`, `<unknown>`, empty → kind 'hidden' (kept as given, e.g. "anonymous").
 * 2. Replacement rules (regular expression → replacement) in order, on the raw string.
 * 3. Short digit strings (≤ 6 digits) are internal numbers: kept as digits (kind 'short').
 * 4. Parsed with the default country; a valid number → the configured format (E.164 by default).
 * 5. Anything else: the digits with a leading `+` kept (kind 'unparsed'), never dropped.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneFormat = 'E.164' | 'national' | 'digits';

export interface PhoneRules {
  readonly defaultCountry: string;
  readonly replacements: ReadonlyArray<{ readonly match: string; readonly replace: string }>;
  readonly format: PhoneFormat;
}

export interface NormalisedPhone {
  /** The value to send to the CRM. */
  readonly value: string;
  readonly kind: 'valid' | 'short' | 'hidden' | 'unparsed';
  /** ISO country when parsed as a valid number. */
  readonly country?: string;
}

const HIDDEN = new Set(['', 'anonymous', 'unknown', '<unknown>', 'restricted', 'private', 'unavailable']);

/** Compiled rules (regular expressions built once). */
export interface CompiledPhoneRules {
  readonly country: CountryCode;
  readonly replacements: ReadonlyArray<readonly [RegExp, string]>;
  readonly format: PhoneFormat;
}

export function compilePhoneRules(rules: PhoneRules): CompiledPhoneRules {
  return {
    country: rules.defaultCountry.toUpperCase() as CountryCode,
    replacements: rules.replacements.map((r) => [new RegExp(r.match), r.replace] as const),
    format: rules.format,
  };
}

export function normalisePhone(raw: string, rules: CompiledPhoneRules): NormalisedPhone {
  let s = raw.trim();
  if (HIDDEN.has(s.toLowerCase())) return { value: s || 'anonymous', kind: 'hidden' };
  for (const [re, rep] of rules.replacements) s = s.replace(re, rep);
  const digits = s.replace(/\D/g, '');
  const plus = s.trimStart().startsWith('+');
  if (digits.length === 0) return { value: s, kind: 'unparsed' };
  if (!plus && digits.length <= 6) return { value: digits, kind: 'short' };
  // International prefixes written without '+': 00 (most of the world) and 8-10 (Russia, CIS).
  let candidate = plus ? `+${digits}` : digits;
  if (!plus && digits.startsWith('00')) candidate = `+${digits.slice(2)}`;
  else if (!plus && digits.startsWith('810') && rules.country === 'RU') candidate = `+${digits.slice(3)}`;
  const parsed = parsePhoneNumberFromString(candidate, rules.country);
  if (parsed && parsed.isValid()) {
    const value =
      rules.format === 'national' ? parsed.formatNational().replace(/\D/g, '') :
      rules.format === 'digits' ? parsed.number.replace(/^\+/, '') :
      parsed.number;
    return parsed.country ? { value, kind: 'valid', country: parsed.country } : { value, kind: 'valid' };
  }
  return { value: plus ? `+${digits}` : digits, kind: 'unparsed' };
}

/** The form used to look a user up by inner phone: digits only, replacements applied. */
export function normaliseInnerPhone(raw: string, rules: CompiledPhoneRules): string {
  let s = raw.trim();
  for (const [re, rep] of rules.replacements) s = s.replace(re, rep);
  return s.replace(/[^\d*#]/g, '');
}
