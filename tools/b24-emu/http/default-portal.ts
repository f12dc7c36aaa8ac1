/** The default portal factory: the portal model of tools/b24-emu/portal (`class Portal`). */
import type { Logger } from '../../../src/log.js';
import { Portal } from '../portal/portal.js';
import type { PortalFactory } from './portal-port.js';

export function defaultPortalFactory(logger: Logger): PortalFactory {
  return (seed, options) =>
    new Portal(seed, {
      now: options.now,
      enforceAppOnly: options.enforceAppOnly,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      logger,
    });
}
