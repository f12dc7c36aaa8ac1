/**
 * The audit log's page (`GET /audit?offset=`) and its CSV (`GET /audit.csv`, every entry newest
 * first, the history CSV's quoting). Admins and viewers may both read it.
 */
import { csvDownload } from './csv-download.js';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { detailsText } from './audit.js';
import { csvCell } from './history-csv.js';
import type { PanelPort } from './panel-port.js';
import { auditPage } from './pages/audit.js';
import type { PanelEnv } from './routes-auth.js';
import type { TFunction } from './ui/texts/index.js';
import type { AuditRecord } from '../store/audit-log.js';

export interface AuditRouteDeps {
  readonly panel: PanelPort;
  readonly t: TFunction;
  readonly now: () => number;
}

export const AUDIT_PAGE = 50;
export const AUDIT_CSV_COLUMNS = ['id', 'at', 'user', 'role', 'ip', 'action', 'target', 'details'] as const;
const CSV_PAGE = 500;
const CSV_MAX_ROWS = 100_000;

export function auditCsvRow(r: AuditRecord): string {
  const values: Record<(typeof AUDIT_CSV_COLUMNS)[number], unknown> = {
    id: r.id, at: new Date(r.at).toISOString(), user: r.user, role: r.role, ip: r.ip, action: r.action, target: r.target, details: detailsText(r.details),
  };
  return AUDIT_CSV_COLUMNS.map((k) => csvCell(values[k])).join(',');
}

async function* auditCsv(panel: PanelPort): AsyncGenerator<string> {
  yield `\uFEFF${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
  for (let offset = 0; offset < CSV_MAX_ROWS; offset += CSV_PAGE) {
    const page = await panel.audit.page({ limit: CSV_PAGE, offset });
    if (page.rows.length === 0) return;
    yield page.rows.map((r) => `${auditCsvRow(r)}\r\n`).join('');
    if (offset + page.rows.length >= page.total) return;
  }
}

export function mountAudit(app: Hono<PanelEnv>, deps: AuditRouteDeps, guard: MiddlewareHandler<PanelEnv>): void {
  app.get('/audit', guard, async (c: Context<PanelEnv>) => {
    const s = c.get('session');
    const offset = Math.max(0, Math.floor(Number(c.req.query('offset') ?? 0)) || 0);
    const page = await deps.panel.audit.page({ limit: AUDIT_PAGE, offset });
    return c.html(auditPage({ t: deps.t, csrf: s.csrf, user: s.user, role: s.role, now: deps.now() }, page, offset, AUDIT_PAGE).value);
  });
  app.get('/audit.csv', guard, () => {
    const rows = auditCsv(deps.panel);
    return csvDownload(rows, 'audit', deps.now());
  });
}
