import type { StaticCheck } from '../context.ts';
import { found } from '../context.ts';

/** Shell histories, credential files and private keys, in any home directory or /etc/ssl/private. */
const SECRET_NAMES = [
  /\/\.(bash|zsh|sh|python|mysql|psql|node_repl|lesshst|sqlite)_?history$/,
  /\/\.lesshst$/,
  /\/\.netrc$/,
  /\/\.git-credentials$/,
  /\/\.aws\/(credentials|config)$/,
  /\/\.docker\/config\.json$/,
  /\/\.config\/gcloud\/.*credential/,
  /\/\.ssh\/id_[^/.]+$/,
  /\/\.pgpass$/,
  /\/\.my\.cnf$/,
];
const HOMES = /^\/(root|home\/[^/]+)\//;

export const secrets: StaticCheck = {
  id: 'A3',
  title: 'no shell histories, credential files or private keys',
  run(ctx) {
    const inHomes = [...ctx.index.all()].filter(
      (e) => e.type === 'file' && HOMES.test(e.path) && SECRET_NAMES.some((re) => re.test(e.path)),
    );
    const privateKeys = ctx.index.under('/etc/ssl/private').filter((e) => e.type === 'file');
    return [
      ...inHomes.map((e) => found(e.path, 'history or credential file left from the build')),
      ...privateKeys.map((e) => found(e.path, 'TLS private key baked into the image (e.g. ssl-cert snakeoil)')),
    ];
  },
};
