import { z } from 'zod';
import { ROLES } from '../../catalog/roles.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { createAccount, disableAccount, listAccounts, setAccountRole } from '../../store/accounts.ts';
import { type AuditAction, listAudit, recordAudit } from '../../store/audit.ts';
import { PASSWORD_MAX } from '../../store/passwords.ts';
import { AccountView, IsoTime } from '../response-schemas.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const Name = z.object({ name: text({ min: 1, max: 60 }) });
const NewAccount = z.object({ name: text({ min: 1, max: 60 }), role: z.enum(ROLES), password: z.string().max(PASSWORD_MAX) });
const AUDIT_ACTIONS = ['sign_in', 'sign_in_failed', 'sign_out', 'account_created', 'account_role_changed', 'account_disabled',
  'review_approved', 'review_changes_requested', 'release_promoted', 'release_revoked'] as const satisfies readonly AuditAction[];

// `action` as a string, not the enum above: a new kind of entry written by a newer server is still listed.
const AuditEntryView = z.object({ id: z.number().int(), at: IsoTime, actor: z.string(), action: z.string(), subject: z.string(), detail: z.record(z.string(), z.unknown()) });

/** Portal accounts and the audit log, for admins (an admin is a token or a signed-in admin account). */
export function accountRoutes(svc: ReleaseServices): RouteDef[] {
  return [
    route({ method: 'get', path: '/api/accounts', tag: 'accounts', summary: 'List portal accounts (never their password hashes)', role: 'admin', response: z.object({ accounts: z.array(AccountView) }),
      handler: async (c) => c.json({ accounts: await listAccounts(svc.store.db) }) }),
    route({ method: 'post', path: '/api/accounts', tag: 'accounts', summary: 'Create a portal account with a role', role: 'admin', body: NewAccount, response: AccountView, status: 201,
      handler: async (c, { body, who }) => {
        const account = await createAccount(svc.store.db, body);
        await recordAudit(svc.store.db, { actor: who!.name, action: 'account_created', subject: account.name, detail: { role: account.role } });
        return c.json(account, 201);
      } }),
    route({ method: 'post', path: '/api/accounts/:name/role', tag: 'accounts', summary: 'Change the role of a portal account', role: 'admin', params: Name, body: z.object({ role: z.enum(ROLES) }), response: AccountView,
      handler: async (c, { params, body, who }) => {
        const account = await setAccountRole(svc.store.db, params.name, body.role);
        await recordAudit(svc.store.db, { actor: who!.name, action: 'account_role_changed', subject: account.name, detail: { role: body.role } });
        return c.json(account);
      } }),
    route({ method: 'post', path: '/api/accounts/:name/disable', tag: 'accounts', summary: 'Disable a portal account and end its sessions', role: 'admin', params: Name, response: AccountView,
      handler: async (c, { params, who }) => {
        const account = await disableAccount(svc.store.db, params.name);
        await recordAudit(svc.store.db, { actor: who!.name, action: 'account_disabled', subject: account.name });
        return c.json(account);
      } }),
    route({ method: 'get', path: '/api/audit', tag: 'accounts', summary: 'The audit log, newest first', role: 'admin', response: z.object({ entries: z.array(AuditEntryView) }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), action: z.enum(AUDIT_ACTIONS).optional() }),
      handler: async (c, { query }) => c.json({ entries: await listAudit(svc.store.db, query) }) }),
  ];
}
