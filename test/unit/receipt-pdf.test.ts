import { describe, expect, it } from "vitest";
import { receiptPdf } from "../../src/receipts/receipt-pdf.js";
import type { Receipt } from "../../src/receipts/receipts.js";
import { pdfText } from "../support/pdf-text.js";

const receipt: Receipt = {
  operator: "Harbor Voice Billing",
  number: 42n,
  rechargeId: "rch_2wE4rT6yU8iO1pA3sD5f",
  accountId: "acct_7hJ2kL4mN6pQ8rS1tU3v",
  accountName: "Zoë Dental 東京",
  trigger: "auto",
  amountMicros: 50_000_000n,
  balanceAfterMicros: 59_840_000n,
  card: { brand: "mastercard", last4: "4444" },
  paidAt: "2026-12-02T17:29:03.000Z",
};

describe("receiptPdf", () => {
  it("prints every fact of the receipt, a name in another script as ?, and renders the same text twice", async () => {
    const first = await pdfText(await receiptPdf(receipt));
    const text = first.pages.join(" ");
    for (const fact of [
      "Harbor Voice Billing",
      "Receipt 000042",
      "Date paid December 2, 2026 at 5:29 PM UTC",
      "Billed to Zoë Dental ?? (acct_7hJ2kL4mN6pQ8rS1tU3v)",
      "Description Prepaid calling credit, Auto-Recharge",
      "Amount paid $50.00 USD",
      "Paid with Mastercard •••• 4444",
      "Balance after payment $59.84 USD",
      "Payment reference rch_2wE4rT6yU8iO1pA3sD5f",
    ]) {
      expect(text).toContain(fact);
    }
    expect((await pdfText(await receiptPdf(receipt))).pages).toEqual(first.pages);
  });
});
