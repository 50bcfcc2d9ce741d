import { useState } from 'react';

/**
 * One write from a form or button: busy while it runs (the button shows it and cannot be pressed twice),
 * and the error it ended with, shown by SubmitError, cleared when it is tried again.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error>();
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await action();
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return { busy, failure, run };
}
