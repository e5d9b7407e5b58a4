import { describe, expect, it } from "vitest";
import { usd } from "../../src/money/micros.js";
import { NOTIFICATION_TYPES, notificationText, notificationTitle, type NotificationEvent } from "../../src/notifications/words.js";

const card = { brand: "visa", last4: "4242" };
/** One event of every type. */
const EVENTS: NotificationEvent[] = [
  { type: "recharge.succeeded", rechargeId: "rch_1", trigger: "auto", amountMicros: usd(50), balanceMicros: 59_840_000n, ratePerMinuteMicros: 180_000n, paymentMethodId: "pm_1", card },
  {
    type: "recharge.failed",
    rechargeId: "rch_2",
    trigger: "manual",
    amountMicros: usd(20),
    paymentMethodId: "pm_1",
    card: null,
    failureCode: "card_declined",
    failureMessage: "Your card was declined.",
    nextStep: "Update your card in Payments.",
    providerMessage: "Your card was declined.",
  },
  { type: "balance.low", balanceMicros: 9_840_000n, thresholdMicros: usd(10), autoRechargeEnabled: false, reason: "disabled" },
  { type: "account.paused", balanceMicros: 120_000n, failureCode: "card_declined", failureMessage: null },
  { type: "account.resumed", balanceMicros: usd(49) },
  { type: "auto_recharge.updated", enabled: true, thresholdMicros: usd(10), amountMicros: usd(50), targetMicros: null, monthlyLimitMicros: null, triggered: { id: "rch_3", amountMicros: usd(50) } },
  { type: "auto_recharge.limit_reached", reason: "monthly_limit", amountMicros: usd(50), balanceMicros: usd(5), maxAutomaticChargesPer24h: 20, monthlyLimitMicros: usd(60) },
  { type: "balance.alert", level: { below: "20.00" }, levelMicros: usd(20), balanceMicros: 19_800_000n, ratePerMinuteMicros: 180_000n },
  { type: "balance.recovered", level: { below_minutes: "30" }, levelMicros: 5_400_000n, balanceMicros: usd(55), ratePerMinuteMicros: 180_000n },
  { type: "refund.succeeded", refundId: "rfd_1", rechargeId: "rch_1", amountMicros: usd(20), balanceMicros: usd(30), reason: "customer asked" },
  { type: "dispute.opened", disputeId: "dsp_1", rechargeId: "rch_1", amountMicros: usd(50), reversedMicros: usd(50), balanceMicros: -usd(2), card: { brand: "visa", last4: "0259" } },
  { type: "dispute.closed", disputeId: "dsp_1", rechargeId: "rch_1", outcome: "won", reversedMicros: usd(50), returnedMicros: usd(30), balanceMicros: usd(28) },
  { type: "call.wrap_up", callId: "twilio-CA1", provider: "twilio", providerCallId: "CA1", secondsRemaining: 42, balanceMicros: 126_000n },
];

describe("notification words", () => {
  it("render every type, with a title", () => {
    expect(EVENTS.map((e) => e.type).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    for (const event of EVENTS) {
      const { message, data } = notificationText(event);
      expect(message.length).toBeGreaterThan(10);
      expect(notificationTitle(event.type, data).length).toBeGreaterThan(10);
      // Amounts reach payloads as decimal strings, never JS numbers.
      for (const value of Object.values(data)) expect(typeof value).not.toBe("number");
    }
  });

  it("say a receipt's amount, card, balance and minutes, and a failure's reason and next step", () => {
    expect(notificationText(EVENTS[0]!).message).toBe("Receipt: $50.00 charged to Visa •••• 4242. New balance $59.84 (≈ 332.44 minutes at $0.18/min).");
    expect(notificationTitle("recharge.succeeded", notificationText(EVENTS[0]!).data)).toBe("Receipt: $50.00 added to your prepaid balance");
    expect(notificationText(EVENTS[1]!).message).toBe("Top-up of $20.00 on your card failed: Your card was declined. Update your card in Payments.");
    expect(notificationText(EVENTS[6]!).message).toBe(
      "Auto-Recharge of $50.00 was not made: it would exceed your monthly limit of $60.00. Balance: $5.00. Add credit manually or raise the limit.",
    );
  });

  // Issue 28, item 2: text a customer reads shows cents (toward zero, as the page's balance);
  // the payload keeps the exact micro-dollars.
  it("say balances in whole cents, while the payload keeps every micro-dollar", () => {
    const low = notificationText({ type: "account.paused", balanceMicros: -10_133_334n, failureCode: "card_declined", failureMessage: null });
    expect(low.message).toContain("of −$10.13 no longer covers a minute");
    expect(low.data.balance).toBe("-10.133334");
    const receipt = notificationText({ ...(EVENTS[0] as Extract<NotificationEvent, { type: "recharge.succeeded" }>), balanceMicros: 39_866_666n });
    expect(receipt.message).toContain("New balance $39.86 (");
    expect(receipt.data.balance).toBe("39.866666");
    for (const event of EVENTS) expect(notificationText(event).message, event.type).not.toMatch(/\$\d+\.\d{3,}/);
  });

  it("say which alert level was crossed, in its own unit, and the balance and minutes left", () => {
    expect(notificationText(EVENTS[7]!).message).toBe("Your balance fell below $20.00: $19.80, ≈ 110.00 minutes at $0.18/min left. Add funds or turn on Auto-Recharge so calls keep running.");
    expect(notificationTitle("balance.alert", notificationText(EVENTS[7]!).data)).toBe("Balance alert: below $20.00");
    expect(notificationText(EVENTS[8]!).message).toBe("Your balance is back above 30 minutes ($5.40): $55.00, ≈ 305.55 minutes at $0.18/min.");
  });

  it("say what a dispute took off, which card Auto-Recharge stops charging, and how it closed", () => {
    const opened = notificationText(EVENTS[10]!);
    expect(opened.message).toBe(
      "A card payment of $50.00 was disputed with the bank (Visa •••• 0259): $50.00 was taken off your balance while the dispute is open. New balance −$2.00. Auto-Recharge will not charge that card until the dispute is closed; add another card to keep it on.",
    );
    expect(notificationTitle("dispute.opened", opened.data)).toBe("A card payment of $50.00 was disputed");
    const won = notificationText(EVENTS[11]!);
    // $50 disputed, $20 refunded to the card while it was open: the win gives back $30.
    expect(won.message).toBe("The dispute of a card payment was decided in your favour: $30.00 is back on your balance ($20.00 of it was refunded to your card meanwhile). New balance $28.00.");
    expect(notificationTitle("dispute.closed", won.data)).toBe("Dispute won: the payment counts again");
  });

  it("say a refund's amount, reason and the balance it left", () => {
    const refund = notificationText(EVENTS[9]!);
    expect(refund.message).toBe("Refund: $20.00 of a card payment was given back to your card (customer asked). New balance $30.00.");
    expect(notificationTitle("refund.succeeded", refund.data)).toBe("Refund: $20.00 given back to your card");
  });

  it("say what target mode charges: what brings the balance back to the target", () => {
    const updated = EVENTS[5] as Extract<NotificationEvent, { type: "auto_recharge.updated" }>;
    const targeted = notificationText({ ...updated, targetMicros: usd(100), triggered: { id: "rch_4", amountMicros: 90_160_000n } });
    expect(targeted.message).toBe(
      "Auto-Recharge is on: when your balance falls below $10.00, your card is charged what brings it back to $100.00. Your balance is below the threshold, so $90.16 is being charged now.",
    );
    expect(targeted.data).toMatchObject({ mode: "target", target: "100.00" });
  });

  it("put the sign before the dollar of a negative balance (−$0.40, not $-0.40), and title a failed top-up as one", () => {
    const paused = notificationText({ type: "account.paused", balanceMicros: -400_000n, failureCode: "card_declined", failureMessage: null }).message;
    expect(paused).toContain("−$0.40");
    expect(paused).not.toContain("$-");
    expect(notificationTitle("recharge.failed", notificationText(EVENTS[1]!).data)).toBe("Your top-up payment failed");
    expect(notificationTitle("recharge.failed", notificationText({ ...(EVENTS[1] as Extract<NotificationEvent, { type: "recharge.failed" }>), trigger: "auto" }).data)).toBe(
      "Action needed: your Auto-Recharge payment failed",
    );
  });
});
