/**
 * The one escaping helper of the panel. Every value interpolated into `html\`…\`` is escaped,
 * unless it is itself the result of `html` (a SafeHtml); arrays are joined. Pages never build
 * markup by string concatenation, so a caller name like `<script>` can only ever render as text.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (ch) => ENTITIES[ch] ?? ch);
}

function part(v: unknown): string {
  if (v instanceof SafeHtml) return v.value;
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return v.map(part).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup (static assets, pre-built SVG from numbers only). Never pass user data. */
export function raw(s: string): SafeHtml {
  return new SafeHtml(s);
}

/** JSON safe to embed in a <script type="application/json"> or an attribute. */
export function jsonForHtml(v: unknown): SafeHtml {
  return new SafeHtml(escapeHtml(JSON.stringify(v)));
}
