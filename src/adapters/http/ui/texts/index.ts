/**
 * Text lookup. `createT(texts)` gives a `t(key, params)` bound to one language; the panel uses
 * English unless the app is given another dictionary.
 */
import { en, type TextKey, type Texts } from './en.js';
import { ru } from './ru.js';

export type { TextKey, Texts };
export type TFunction = (key: TextKey, params?: Readonly<Record<string, string | number>>) => string;

/** The panel's languages (config `admin.language`). */
export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export const languages: Readonly<Record<Language, Texts>> = { en, ru };

export function createT(texts: Texts = en): TFunction {
  return (key, params) => {
    const s = texts[key] ?? en[key] ?? key;
    if (!params) return s;
    return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}

export const t: TFunction = createT(en);
