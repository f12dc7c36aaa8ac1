/**
 * Panel users and their roles. `admin` may change things (settings, outbox, hooks); `viewer` may
 * only look. The config's single `admin.user` + `admin.passwordHash` is one admin, next to the
 * `admin.users` list. The role check itself is server-side, in the session guard (routes-auth.ts):
 * every request that is not a GET/HEAD is a change, except logging in and out.
 */
import { tokensMatch } from './auth.js';

export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface PanelUser {
  readonly user: string;
  readonly passwordHash: string;
  readonly role: Role;
}

/** What the app is given (config.admin's shape, all parts optional). */
export interface PanelAuthConfig {
  readonly user?: string;
  readonly passwordHash?: string;
  readonly users?: readonly PanelUser[];
}

/** Every user that may log in: the legacy single admin (when it has a hash) first, then `users`. */
export function panelUsers(a: PanelAuthConfig): PanelUser[] {
  const out: PanelUser[] = [];
  if (a.passwordHash) out.push({ user: a.user ?? 'admin', passwordHash: a.passwordHash, role: 'admin' });
  for (const u of a.users ?? []) if (u.passwordHash && !out.some((o) => o.user === u.user)) out.push(u);
  return out;
}

/** The user with this name (each name compared in constant time, all of them every time). */
export function findUser(users: readonly PanelUser[], name: string): PanelUser | undefined {
  let found: PanelUser | undefined;
  for (const u of users) if (tokensMatch(u.user, name) && !found) found = u;
  return found;
}

export function canChange(role: Role): boolean {
  return role === 'admin';
}

/** Paths that are POSTed by every logged-in user: they change nothing in the connector. */
export const UNGUARDED_POSTS: readonly string[] = ['/login', '/logout'];

/** Does this request change something (and so need the admin role)? */
export function isChange(method: string, path: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && !UNGUARDED_POSTS.includes(path);
}
