import { describe, expect, it } from "vitest";
import type { Recharge } from "../../web/src/api/types.js";
import { outcomeText } from "../../web/src/payments/recharge-outcome.js";

const recharge = (patch: Partial<Recharge>): Recharge => ({
  id: "rch_1",
  account_id: "acct_1",
  trigger: "manual",
  amount: "25.00",
  status: "processing",
  attempts: 1,
  payment_method_id: "pm_1",
  card: { brand: "visa", last4: "4242" },
  failure_code: null,
  failure_message: null,
  refunded: "0.00",
  created_at: "2026-12-02T00:00:00.000Z",
  settled_at: null,
  confirm_by: null,
  ...patch,
});

describe("what the page says about a charge it started", () => {
  it("while at the provider", () => {
    expect(outcomeText(recharge({ status: "pending" }), "Visa •••• 4242")).toEqual({ state: "charging", text: "Charging $25.00 to Visa •••• 4242…" });
    expect(outcomeText(recharge({}), "Visa •••• 4242").state).toBe("charging");
  });

  it("once it succeeded: the amount, the card and the balance in cents", () => {
    expect(outcomeText(recharge({ status: "succeeded" }), "Visa •••• 4242", "37.019999").text).toBe("Charged $25.00 to Visa •••• 4242 — balance $37.01.");
  });

  it("once it failed: the provider's reason and what to do", () => {
    const failed = recharge({ status: "failed", failure_code: "card_declined", failure_message: "Your card was declined." });
    expect(outcomeText(failed, "Visa •••• 0341")).toEqual({
      state: "failed",
      text: "The charge of $25.00 to Visa •••• 0341 failed: Your card was declined. Try another card, or add a new one.",
    });
  });
});
