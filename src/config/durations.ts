const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Parses "1m,5m,30m,2h" (units ms, s, m, h) into milliseconds. */
export function parseDurationsMs(text: string): number[] {
  return text.split(",").map((part) => {
    const match = /^\s*(\d+)(ms|s|m|h)\s*$/.exec(part);
    if (!match) throw new Error(`not a duration: ${JSON.stringify(part)} (use e.g. 500ms, 30s, 5m, 2h)`);
    return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  });
}
