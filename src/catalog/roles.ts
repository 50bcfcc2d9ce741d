/**
 * Who may do what. Roles are ordered: each one may do everything the roles before it may. Routes name the
 * least role they need; API tokens (and, later, portal sessions) carry one role. The check is made once,
 * in the route table (src/api/route-table.ts), for every kind of credential alike.
 */
export const ROLES = ['viewer', 'contributor', 'reviewer', 'publisher', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a credential proved: who, with which role, and how (an API token now, a portal session later). */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  via: 'token' | 'session';
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `has` is `needs` or above it. */
export function roleAtLeast(has: Role, needs: Role): boolean {
  return ROLES.indexOf(has) >= ROLES.indexOf(needs);
}
