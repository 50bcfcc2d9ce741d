import { AppError } from '../errors.ts';
import { isLoopbackHost, isWildcardHost } from '../release/public-url.ts';
import type { Database } from '../store/database.ts';
import { countUsableTokens } from '../store/tokens.ts';

const TLS_HINT = 'put herd behind a reverse proxy that terminates TLS (nginx, caddy) and pass --public-url https://NAME; '
  + 'or keep --host 127.0.0.1 and let the proxy connect to it';

/**
 * Listening beyond loopback hands the API to the network: only with a credential to protect it (at least
 * one usable token), and only with a public URL, so feeds never name a wildcard address.
 */
export async function checkExposure(store: Database, o: { host: string; publicUrl?: string }): Promise<void> {
  if (isLoopbackHost(o.host)) return;
  if ((await countUsableTokens(store.db)) === 0) {
    throw new AppError('serve.no_tokens', `refusing to listen on ${o.host}: no API token exists, so nothing would protect the API from the network`, {
      hint: `create one first with \`herd tokens create --role admin\` (same --data/--database); ${TLS_HINT}`,
    });
  }
  if (isWildcardHost(o.host) && !o.publicUrl) {
    throw new AppError('serve.no_public_url', `listening on ${o.host} needs a public URL: feeds must not link to ${o.host}`, {
      hint: `pass --public-url https://NAME once (it is stored); ${TLS_HINT}`,
    });
  }
}
