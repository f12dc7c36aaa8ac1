/**
 * Opens the store the config names — SQLite (a file on this host) or PostgreSQL (a database
 * anywhere) — migrated and ready. The composition root and every CLI command open it here.
 */
import type { Config } from '../../config/schema.js';
import { ConnectorError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import type { AppStore } from './app-store.js';
import { openPostgresStore } from './postgres.js';
import { redactPgUrl } from './postgres-pool.js';
import { openSqliteStore } from './sqlite.js';

export type StoreConfig = Pick<Config['store'], 'driver' | 'path'> & Partial<Pick<Config['store'], 'url' | 'poolMax' | 'connectTimeoutMs'>>;

export async function openStore(config: StoreConfig, logger: Logger = silentLogger): Promise<AppStore> {
  if (config.driver === 'postgres') {
    if (!config.url) throw new ConnectorError('CONFIG_STORE_URL_MISSING', 'store.driver "postgres" needs store.url');
    return openPostgresStore({
      url: config.url, logger,
      ...(config.poolMax !== undefined ? { poolMax: config.poolMax } : {}),
      ...(config.connectTimeoutMs !== undefined ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
    });
  }
  return openSqliteStore({ path: config.path, logger });
}

/** Where the store lives, for messages (the PostgreSQL URL without its password). */
export function storeLocation(config: StoreConfig): string {
  if (config.driver !== 'postgres') return config.path;
  return redactPgUrl(config.url ?? '');
}
