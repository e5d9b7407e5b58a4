import { useState } from "react";

/**
 * A user's action against the API: busy while it runs, its failure kept to show, and `done`
 * (reload what it changed) after it succeeds. Never swallowed: the caller shows `error`.
 */
export function useAction(done: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  async function act(work: () => Promise<void>): Promise<void> {
    setError(undefined);
    setBusy(true);
    try {
      await work();
      done();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }
  return { act, busy, error, setError };
}
