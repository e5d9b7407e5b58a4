import type { KeyScope } from "./key-scope.js";

/** Who made a change, as the audit log names them (docs/concepts.md). */
export interface Actor {
  type: "api_key" | "session" | "operator";
  /** The key's id (`key_…`, `key_env_admin`) or the session's id (`ses_…`). */
  id: string;
}

/**
 * Who is calling: the operator, or one account — through an API key of some scope, or through
 * a Payments-page session (an owner session may do what a full key does, a viewer what a read
 * key does; the routes that only a platform's backend may call check `actor.type`).
 */
export type Principal = { kind: "admin"; actor: Actor } | { kind: "account"; accountId: string; scope: KeyScope; actor: Actor };
