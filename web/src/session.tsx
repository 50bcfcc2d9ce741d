import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { apiGet, apiPost, setCsrf } from './api/client.ts';

export interface SignedIn { name: string; role: string }
interface SessionState {
  account?: SignedIn;
  loading: boolean;
  signIn(name: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

/** Who is signed in, from GET /api/session; holds the CSRF token every write sends. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [account, setAccount] = useState<SignedIn | undefined>();
  const [loading, setLoading] = useState(true);
  const accept = useCallback((s: Awaited<ReturnType<typeof apiGet<'/api/session'>>>) => {
    if (s.signedIn) {
      setCsrf({ header: s.csrfHeader, token: s.csrfToken });
      setAccount(s.account);
    } else {
      setCsrf(undefined);
      setAccount(undefined);
    }
  }, []);
  useEffect(() => {
    apiGet('/api/session').then(accept).catch(() => setAccount(undefined)).finally(() => setLoading(false));
  }, [accept]);
  const value: SessionState = {
    account,
    loading,
    async signIn(name, password) {
      accept(await apiPost('/api/session', { name, password }));
    },
    async signOut() {
      await apiPost('/api/session/sign-out', {});
      accept({ signedIn: false });
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
