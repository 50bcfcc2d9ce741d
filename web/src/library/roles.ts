/** The server's role order (src/catalog/roles.ts): only to decide which forms to show; the server checks every write. */
const ROLES = ['viewer', 'contributor', 'reviewer', 'publisher', 'admin'];

export function roleAtLeast(has: string | undefined, needs: 'contributor' | 'reviewer'): boolean {
  return has !== undefined && ROLES.indexOf(has) >= ROLES.indexOf(needs);
}
