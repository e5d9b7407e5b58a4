import { AsyncLocalStorage } from "node:async_hooks";

/** The effects waiting for the transaction that is running in this async context. */
const pending = new AsyncLocalStorage<Array<() => void>>();

/**
 * Runs `effect` once the current transaction has committed, and never when it rolls back —
 * so a log line or a metric says what happened, not what was attempted. Outside any
 * transaction it runs at once. An effect that throws is dropped: it reports, it does not decide.
 */
export function afterCommit(effect: () => void): void {
  const list = pending.getStore();
  if (list) list.push(effect);
  else runQuietly(effect);
}

/**
 * Runs `transaction` and then, if it resolved, the effects it registered. A transaction inside
 * another (a savepoint) registers with the outer one: its effects wait for the real commit.
 */
export async function withCommitEffects<T>(transaction: () => Promise<T>): Promise<T> {
  if (pending.getStore()) return transaction();
  const effects: Array<() => void> = [];
  const result = await pending.run(effects, transaction);
  for (const effect of effects) runQuietly(effect);
  return result;
}

function runQuietly(effect: () => void): void {
  try {
    effect();
  } catch {
    // An observer's failure must not fail the change it observed.
  }
}
