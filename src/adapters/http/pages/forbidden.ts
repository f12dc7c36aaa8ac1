/** The page a viewer gets when trying a change (403): what happened and what to do. */
import { html, type SafeHtml } from '../html.js';
import { layout, type PageCtx } from './layout.js';

export function forbiddenPage(ctx: PageCtx): SafeHtml {
  const { t } = ctx;
  return layout(ctx, 'dashboard', t('error.forbiddenTitle'), html`<p class="flash error" role="alert" id="forbidden">${t('error.forbidden', { user: ctx.user })}</p>
<p><a href="/">${t('nav.dashboard')}</a></p>`);
}
