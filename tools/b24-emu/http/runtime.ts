/**
 * Everything the HTTP routes share: clock, credentials, limits, faults, logs, event delivery and
 * the current portal. Built once by startEmulator (index.ts).
 */
import type { Logger } from '../../../src/log.js';
import type { PortalSeed } from '../contract.js';
import type { EmuClock } from './clock.js';
import type { EventDelivery } from './event-delivery.js';
import type { Faults } from './faults.js';
import type { OperatingBudget, RequestBucket } from './limits.js';
import type { PortalLike } from './portal-port.js';
import type { RequestLog } from './request-log.js';
import type { EngineDeps } from './rest-engine.js';
import type { TokenStore } from './tokens.js';

export interface EmuRuntime {
  readonly clock: EmuClock;
  readonly tokens: TokenStore;
  readonly bucket: RequestBucket;
  readonly budget: OperatingBudget;
  readonly faults: Faults;
  readonly log: RequestLog;
  readonly delivery: EventDelivery;
  readonly logger: Logger;
  readonly engine: EngineDeps;
  portal(): PortalLike;
  /** Replaces the portal with a fresh one built from `seed` (default: the starting seed). */
  resetPortal(seed?: PortalSeed): void;
  /** resetPortal plus bucket, operating budget, logs and faults cleared (credentials stay). */
  resetAll(seed?: PortalSeed): void;
  /** `http://host:port` without a trailing slash. */
  baseUrl(): string;
  /** What an access token the portal never issued yields (reference §1.4, §11.11). */
  readonly unknownTokenError: 'invalid_token' | 'NO_AUTH_FOUND';
}
