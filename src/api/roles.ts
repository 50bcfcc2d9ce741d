import type { Context } from 'hono';

/**
 * Who may write. Every write route names the role it needs and goes through `authorize`, the one hook
 * authentication plugs into later (the portal issue); until then the default lets everyone in, which is
 * why `herd serve` listens on 127.0.0.1 only unless told otherwise.
 */
export type Role = 'builder' | 'publisher' | 'admin';

/** Throws an AppError (`api.unauthenticated` / `api.forbidden`) to refuse. */
export type Authorize = (c: Context, role: Role) => Promise<void> | void;

export const allowAll: Authorize = () => {};
