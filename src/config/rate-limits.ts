import { parseDurationsMs } from "./durations.js";

/** What is limited (docs/concepts.md abuse limits); each counted across every process on the database. */
export const LIMITED_ACTIONS = ["card_saves", "top_ups", "auth_failures", "session_exchanges", "session_card_saves"] as const;
export type LimitedAction = (typeof LIMITED_ACTIONS)[number];

export interface RateLimit {
  max: number;
  windowMs: number;
}

export interface RateLimits {
  windows: Record<LimitedAction, RateLimit>;
  /** Saved cards an account may hold at once (a cap, not a rate). */
  savedCardsMax: number;
}

/**
 * docs/concepts.md's defaults: card saves and manual top-ups 10 per account per hour; per client IP,
 * failed authentications and session exchanges 60 a minute, card saves with a session 30 an hour.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  windows: {
    card_saves: { max: 10, windowMs: 3_600_000 },
    top_ups: { max: 10, windowMs: 3_600_000 },
    auth_failures: { max: 60, windowMs: 60_000 },
    session_exchanges: { max: 60, windowMs: 60_000 },
    session_card_saves: { max: 30, windowMs: 3_600_000 },
  },
  savedCardsMax: 20,
};

/** PREPAID_RATE_LIMITS: `card_saves=10/1h,auth_failures=60/1m,saved_cards=20`; the rest keep their defaults. */
export function parseRateLimits(text: string | undefined): RateLimits {
  const limits: RateLimits = { windows: { ...DEFAULT_RATE_LIMITS.windows }, savedCardsMax: DEFAULT_RATE_LIMITS.savedCardsMax };
  if (!text) return limits;
  for (const part of text.split(",")) {
    const match = /^\s*([a-z_]+)\s*=\s*(\d+)(?:\/(\w+))?\s*$/.exec(part);
    if (!match) throw new Error(`PREPAID_RATE_LIMITS: not name=count/window: ${JSON.stringify(part)}`);
    const [, name, count, window] = match;
    const max = Number(count);
    if (name === "saved_cards" && window === undefined) {
      limits.savedCardsMax = max;
    } else if ((LIMITED_ACTIONS as readonly string[]).includes(name!) && window !== undefined) {
      const windowMs = parseDurationsMs(window)[0]!;
      if (windowMs <= 0) throw new Error(`PREPAID_RATE_LIMITS: ${name}: the window must be longer than 0`);
      limits.windows[name as LimitedAction] = { max, windowMs };
    } else {
      throw new Error(`PREPAID_RATE_LIMITS: unknown limit ${JSON.stringify(part)} (known: ${LIMITED_ACTIONS.join(", ")}, saved_cards)`);
    }
  }
  return limits;
}
