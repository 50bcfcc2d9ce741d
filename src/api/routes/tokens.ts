import { z } from 'zod';
import { ROLES } from '../../catalog/roles.ts';
import type { ReleaseServices } from '../../release/services.ts';
import { createToken, listTokens, revokeToken } from '../../store/tokens.ts';
import { TokenView } from '../response-schemas.ts';
import { route, type RouteDef } from '../route-table.ts';
import { text } from '../validate.ts';

const TokenId = z.object({ id: text({ max: 32 }).regex(/^[0-9a-f]{1,32}$/, 'must be a token id') });
const NewToken = z.object({
  role: z.enum(ROLES),
  name: text({ min: 1, max: 100 }).optional(),
  expiresDays: z.number().positive().max(3650).optional(),
});

/** API tokens, for admins: the secret is in the creation answer only; listings never carry it. */
export function tokenRoutes(svc: ReleaseServices): RouteDef[] {
  return [
    route({ method: 'get', path: '/api/tokens', tag: 'tokens', summary: 'List API tokens (never their secrets)', role: 'admin', response: z.object({ tokens: z.array(TokenView) }),
      handler: async (c) => c.json({ tokens: await listTokens(svc.store.db) }) }),
    route({ method: 'post', path: '/api/tokens', tag: 'tokens', summary: 'Create an API token; the secret is shown in this answer only', role: 'admin', body: NewToken, status: 201,
      response: TokenView.extend({ secret: z.string().describe('the bearer token; shown in this answer only') }),
      handler: async (c, { body }) => {
        const { token, secret } = await createToken(svc.store.db, { role: body.role, name: body.name, expiresInDays: body.expiresDays });
        return c.json({ ...token, secret }, 201);
      } }),
    route({ method: 'post', path: '/api/tokens/:id/revoke', tag: 'tokens', summary: 'Revoke an API token at once', role: 'admin', params: TokenId, response: TokenView,
      handler: async (c, { params }) => c.json(await revokeToken(svc.store.db, params.id)) }),
  ];
}
