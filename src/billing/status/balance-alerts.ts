import { assert } from "../../errors/assert.js";
import { parseAmount } from "../../money/parse.js";
import { cost } from "../../money/rating.js";
import type { Micros } from "../../money/micros.js";

/**
 * Balance alerts (docs/concepts.md): up to 5 levels, each in dollars or in minutes of calls at the
 * account's current rate. Pure: which levels a balance change crossed. Crossings are read off
 * the balance before and after a change, so each downward crossing is told once and each
 * upward one once, with no state to keep: the next debit below a level starts below it.
 */
export type AlertLevel = { below: Micros } | { belowMinutes: number };

export const MAX_ALERT_LEVELS = 5;
// A week of continuous calling: more is a typo, not a level.
export const MAX_ALERT_MINUTES = 10_080;

/** A level's dollar value at a rate: a minutes level moves when the Web Widget does. */
export function levelMicros(level: AlertLevel, ratePerMinuteMicros: Micros): Micros {
  return "below" in level ? level.below : cost(level.belowMinutes * 60, ratePerMinuteMicros);
}

export interface AlertCrossing {
  level: AlertLevel;
  direction: "down" | "up";
  /** The level's dollar value after the change. */
  levelMicros: Micros;
}

/**
 * The levels a change from `before` to `after` crossed: down when the balance was at or above
 * the level and is now below it, up when it was below and is now at or above. A change of
 * rate (the Web Widget) with the balance unchanged crosses a minutes level too.
 */
export function alertCrossings(
  levels: readonly AlertLevel[],
  before: { balanceMicros: Micros; ratePerMinuteMicros: Micros },
  after: { balanceMicros: Micros; ratePerMinuteMicros: Micros },
): AlertCrossing[] {
  const crossings: AlertCrossing[] = [];
  for (const level of levels) {
    const was = levelMicros(level, before.ratePerMinuteMicros);
    const now = levelMicros(level, after.ratePerMinuteMicros);
    if (before.balanceMicros >= was && after.balanceMicros < now) crossings.push({ level, direction: "down", levelMicros: now });
    else if (before.balanceMicros < was && after.balanceMicros >= now) crossings.push({ level, direction: "up", levelMicros: now });
  }
  return crossings;
}

/** Levels as stored and shown: `{below: "20.00"}` or `{below_minutes: "60"}`. */
export type StoredLevel = { below: string } | { below_minutes: string };

/** A stored level (validated when it was saved: a failure here is a bug). */
export function levelFromStored(stored: StoredLevel): AlertLevel {
  if ("below" in stored) {
    const parsed = parseAmount(stored.below);
    assert(parsed.ok, `stored alert level ${stored.below} is an amount`);
    return { below: parsed.micros };
  }
  return { belowMinutes: Number(stored.below_minutes) };
}

/** The stored list as a query returns it: jsonb parsed by node-postgres, text where a driver leaves it, null without levels. */
export function storedLevels(value: StoredLevel[] | string | null): StoredLevel[] {
  if (value === null) return [];
  return typeof value === "string" ? (JSON.parse(value) as StoredLevel[]) : value;
}
