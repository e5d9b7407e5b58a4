import { expect, it } from "vitest";
import { newId, randomBase62 } from "../../src/ids/prefixed-id.js";

it("draws ids of 20 base62 symbols after the prefix, none repeated across many pool refills", () => {
  const ids = Array.from({ length: 20_000 }, () => newId("txn"));
  for (const id of ids) expect(id).toMatch(/^txn_[0-9a-zA-Z]{20}$/);
  expect(new Set(ids).size).toBe(ids.length);
});

it("uses every base62 symbol about equally often (rejection sampling, no modulo bias)", () => {
  const counts = new Map<string, number>();
  const text = randomBase62(620_000);
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  expect(counts.size).toBe(62);
  // Each symbol is expected 10 000 times (sd ≈ 99); 9 500–10 500 is five sd either side.
  for (const n of counts.values()) {
    expect(n).toBeGreaterThan(9_500);
    expect(n).toBeLessThan(10_500);
  }
});
