import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emailContent } from "../../src/notifications/email-content.js";
import { endpointUrlProblem } from "../../src/notifications/endpoint-url.js";
import { signPayload } from "../../src/notifications/webhook-signature.js";
import { verifyWebhookSignature } from "../../sdk/src/webhooks.js";

describe("webhook signatures (the server signs, the SDK verifies)", () => {
  const secret = "whsec_test";
  const now = 1_800_000_000;

  it("verify for the body signed, within 5 minutes, and for nothing else", () => {
    const body = '{"id":"ntf_1","type":"recharge.failed"}';
    const header = signPayload(secret, body, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, body, header, { nowSeconds: now + 299 })).toBe(true);
    expect(verifyWebhookSignature(secret, body, header, { nowSeconds: now + 301 })).toBe(false);
    expect(verifyWebhookSignature("whsec_other", body, header, { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(secret, body.replace("failed", "succeeded"), header, { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(secret, body, "t=abc,v1=00", { nowSeconds: now })).toBe(false);
    expect(verifyWebhookSignature(secret, body, "", { nowSeconds: now })).toBe(false);
  });

  it("never verify a changed body (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (body, extra) => {
        const header = signPayload(secret, body, now);
        expect(verifyWebhookSignature(secret, body, header, { nowSeconds: now })).toBe(true);
        expect(verifyWebhookSignature(secret, body + extra, header, { nowSeconds: now })).toBe(false);
      }),
    );
  });
});

describe("webhook endpoint URLs", () => {
  it.each([
    ["https://hooks.example.com/prepaid", undefined],
    ["http://127.0.0.1:8080/hook", undefined],
    ["http://localhost/hook", undefined],
    ["http://[::1]:9000/", undefined],
    ["http://hooks.example.com/prepaid", "must be https:// (events carry account and payment data; plain http:// is only for this machine, in development)"],
    ["ftp://example.com/", "must be an https:// URL"],
    ["https://user:pw@example.com/", "must not contain a user name or password"],
    ["https://example.com/#x", "must not contain a #fragment"],
    ["not a url", "not a URL"],
  ])("%s (private addresses allowed, as in tests)", (url, problem) => {
    expect(endpointUrlProblem(url, true)).toBe(problem);
  });

  // Issue 28, item 7: the refusal names the real cause (this machine's addresses are off) and the setting.
  it("refuses this machine, even over plain HTTP, unless private addresses are allowed, and says so", () => {
    expect(endpointUrlProblem("http://127.0.0.1:8080/hook", false)).toBe(
      "points to this machine (127.0.0.1, localhost, [::1]): webhooks reach only public addresses here; the operator allows this machine and private networks for development with PREPAID_WEBHOOK_ALLOW_PRIVATE=true",
    );
    expect(endpointUrlProblem("https://hooks.example.com/prepaid", false)).toBeUndefined();
  });
});

describe("notification emails", () => {
  it("a receipt says amount, card, new balance and minutes (from the notification's message)", () => {
    const email = emailContent({
      type: "recharge.succeeded",
      message: "Receipt: $50.00 charged to Visa •••• 4242. New balance $59.84 (≈ 374.00 minutes at $0.16/min).",
      data: { amount: "50.00" },
      subjectName: null,
      recipientName: "Acme",
    });
    expect(email.subject).toBe("Receipt: $50.00 added to your prepaid balance");
    expect(email.text).toContain("Hello Acme,");
    expect(email.text).toContain("$50.00 charged to Visa •••• 4242. New balance $59.84 (≈ 374.00 minutes at $0.16/min)");
  });

  it("an agency's copy names the subaccount, and a failure carries its next step once", () => {
    const email = emailContent({
      type: "recharge.failed",
      message: "Auto-Recharge of $50.00 on Visa •••• 0341 failed: Your card was declined. Update your card in Payments, or add credit manually.",
      data: { next_step: "Update your card in Payments, or add credit manually." },
      subjectName: "Bright Realty",
      recipientName: "Harbor Agency",
    });
    expect(email.subject).toBe("Action needed: your Auto-Recharge payment failed (Bright Realty)");
    expect(email.text).toContain("About your subaccount Bright Realty:");
    expect(email.text.split("Update your card in Payments").length).toBe(2);
  });
});
