/** Login form (works without JavaScript). */
import { html, type SafeHtml } from '../html.js';
import type { TFunction } from '../ui/texts/index.js';
import { document, flash } from './layout.js';

export function loginPage(t: TFunction, opts: { csrf: string; user?: string; error?: string; disabled?: boolean }): SafeHtml {
  return document(`${t('login.title')} · ${t('app.title')}`, html`<main class="login"><h1>${t('app.title')}</h1>
${opts.disabled ? flash(t('login.disabled'), 'error') : flash(opts.error, 'error')}
<form method="post" action="/login"><input type="hidden" name="_csrf" value="${opts.csrf}">
<label>${t('login.user')} <input name="user" autocomplete="username" value="${opts.user ?? ''}" required></label>
<label>${t('login.password')} <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">${t('login.submit')}</button></form></main>`, html``, t('app.lang'));
}
