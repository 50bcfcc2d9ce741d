import { useMemo } from 'react';
import { apiGet } from '../api/client.ts';
import { useApi } from '../lib/use-api.ts';

/** The ids a template may extend (the official tier); undefined until known, so the editor does not guess. */
export function useOfficialIds(): readonly string[] | undefined {
  const { data } = useApi((signal) => apiGet('/api/library', { query: { tier: 'official' }, signal }), []);
  return useMemo(() => data?.items.map((i) => i.id), [data]);
}
