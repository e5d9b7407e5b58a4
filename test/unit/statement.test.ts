import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Transaction } from "../../web/src/api/types.js";
import { durationText, rechargeLabel, refundedText, statementRows } from "../../web/src/history/statement.js";
import { centsText, parseMicros } from "../../web/src/money/display.js";
import { formatMicros } from "../../src/money/micros.js";

const entry = (patch: Partial<Transaction>): Transaction => ({
  id: `txn_${Math.random().toString(36).slice(2)}`,
  account_id: "acct_1",
  type: "usage",
  amount: "-0.06",
  balance_after: "10.00",
  call_id: "call-1",
  recharge_id: null,
  reason: null,
  created_at: "2026-12-02T10:00:00.000Z",
  ...patch,
});

describe("the History card's words", () => {
  it("shows cents, nearest, with the sign; under half a cent is '<$0.01', not zero", () => {
    expect(centsText("-0.061333", { signed: true })).toBe("−$0.06");
    expect(centsText("32.021333")).toBe("$32.02");
    expect(centsText("-0.005")).toBe("−$0.01");
    expect(centsText("-0.004999", { signed: true })).toBe("−<$0.01");
    expect(centsText("0.002667", { signed: true })).toBe("+<$0.01");
    expect(centsText("0", { signed: true })).toBe("+$0.00");
    expect(centsText("1234.5")).toBe("$1,234.50");
  });

  it("rounds to the nearest cent for any amount, never further than half a cent from the exact one", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), (micros) => {
        const text = centsText(formatMicros(micros));
        if (text.includes("<")) return (micros < 0n ? -micros : micros) < 5_000n && micros !== 0n;
        const shown = parseMicros(text.replace("−", "-").replace("$", "").replaceAll(",", ""));
        const gap = shown - micros;
        return gap <= 5_000n && gap >= -5_000n;
      }),
    );
  });

  it("says how long a call was", () => {
    expect(durationText(7)).toBe("7 s");
    expect(durationText(60)).toBe("1 min");
    expect(durationText(95)).toBe("1 min 35 s");
    expect(durationText(3_720)).toBe("1 h 02 min");
  });

  it("names a payment by what it was and the card it charged", () => {
    expect(rechargeLabel({ trigger: "auto", card: { brand: "visa", last4: "4242" } })).toBe("Auto-Recharge · Visa •••• 4242");
    expect(rechargeLabel({ trigger: "threshold_sync", card: { brand: "visa", last4: "4242" } })).toBe("Auto-Recharge · Visa •••• 4242");
    expect(rechargeLabel({ trigger: "manual", card: { brand: "mastercard", last4: "4444" } })).toBe("Added funds · Mastercard •••• 4444");
    expect(rechargeLabel({ trigger: "retry", card: null })).toBe("Auto-Recharge retry");
  });
});

describe("a payment's refunds, in words", () => {
  it("says nothing of none, the amount of a part, and 'in full' of all", () => {
    expect(refundedText({ amount: "50.00", refunded: "0.00" })).toBe("");
    expect(refundedText({ amount: "50.00", refunded: "20.00" })).toBe("$20.00 refunded");
    expect(refundedText({ amount: "50.00", refunded: "50.00" })).toBe("refunded in full");
  });
});

describe("statement rows: a call's adjacent reports are one row", () => {
  it("folds a run of one call's usage entries, keeping the newest balance and the exact sum", () => {
    const rows = statementRows([
      entry({ amount: "-0.021", balance_after: "9.70", call_id: "call-2" }),
      entry({ amount: "-0.06", balance_after: "9.721" }),
      entry({ amount: "-0.195", balance_after: "9.781" }),
      entry({ type: "recharge", amount: "25.00", balance_after: "9.976", call_id: null, recharge_id: "rch_1" }),
      entry({ amount: "-0.024", balance_after: "-15.024" }),
    ]);
    expect(rows.map((r) => [r.type, r.description, r.amount, r.balanceAfter])).toEqual([
      ["Call", "Call call-2", "-0.021", "9.70"],
      ["Call", "Call call-1 · 2 reports", "-0.255", "9.721"],
      ["Payment", "Card payment", "25.00", "9.976"],
      ["Call", "Call call-1", "-0.024", "-15.024"],
    ]);
    expect(rows[1]!.entries).toHaveLength(2);
  });

  it("loses no entry and no money: every entry is in exactly one row, and the rows sum to the entries", () => {
    const arbitraryEntry = fc.record({
      type: fc.constantFrom("usage", "usage", "recharge", "adjustment") as fc.Arbitrary<Transaction["type"]>,
      call: fc.constantFrom("a", "b", null),
      micros: fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }).filter((m) => m !== 0n),
    });
    fc.assert(
      fc.property(fc.array(arbitraryEntry, { maxLength: 40 }), (specs) => {
        const entries = specs.map((s, i) => entry({ id: `txn_${i}`, type: s.type, call_id: s.type === "usage" ? s.call : null, amount: formatMicros(s.micros) }));
        const rows = statementRows(entries);
        const ids = rows.flatMap((r) => r.entries.map((e) => e.id));
        const sum = (values: string[]) => values.reduce((total, v) => total + parseMicros(v), 0n);
        return JSON.stringify(ids) === JSON.stringify(entries.map((e) => e.id)) && sum(rows.map((r) => r.amount)) === sum(entries.map((e) => e.amount));
      }),
    );
  });
});
