import { describe, expect, it } from "vitest";
import { runwayHours } from "../../src/money/rating.js";
import { usd } from "../../src/money/micros.js";
import { runwayText } from "../../web/src/text/runway.js";

describe("runway", () => {
  it("is the hours the balance lasts at the last day's pace, rounded down to 0.1 h", () => {
    expect(runwayHours(usd(30), usd(10))).toBe(72);
    expect(runwayHours(usd(10), usd(240))).toBe(1);
    expect(runwayHours(1_000_000n, usd(7))).toBe(3.4); // 3.43 h
    expect(runwayHours(-usd(1), usd(5))).toBe(0);
    expect(runwayHours(usd(5), 0n)).toBeNull();
  });

  it("reads as a person says it", () => {
    expect(runwayText(null)).toBe("no calls in the last 24 hours");
    expect(runwayText(0)).toBe("none left");
    expect(runwayText(0.4)).toBe("under an hour");
    expect(runwayText(5.9)).toBe("≈ 5 h");
    expect(runwayText(72)).toBe("≈ 3 days");
    expect(runwayText(76.3)).toBe("≈ 3 days 4 h");
  });
});
