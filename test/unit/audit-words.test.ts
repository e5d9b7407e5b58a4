import { describe, expect, it } from "vitest";
import { actionText, actorText, changeLines, entryTitle } from "../../web/src/settings/audit-words.js";
import { dateTimeText } from "../../web/src/text/date-time.js";
import { answerText } from "../../web/src/settings/delivery-words.js";

describe("the Activity list's words", () => {
  it("names actions plainly, and shows an unknown one as it is rather than hiding it", () => {
    expect(actionText("auto_recharge.updated")).toBe("Auto-Recharge settings changed");
    expect(actionText("account.created")).toBe("Account opened");
    expect(actionText("something.new")).toBe("something.new");
  });

  it("names who acted by the server's label: a key's name, not its id", () => {
    expect(actorText({ type: "api_key", id: "key_1", label: "API key “CI deploy”" })).toBe("API key “CI deploy”");
    expect(actorText({ type: "operator", id: "key_env_admin", label: "The operator" })).toBe("The operator");
  });

  // Issue 28, item 4: labels, names, local times and sentences instead of raw ids and ISO times.
  it("says each change with its field's name, money with its dollar sign, times in the reader's zone, cards by label", () => {
    expect(changeLines({ threshold: ["5.00", "10.00"], enabled: [false, true], monthly_limit: ["500.00", null], mode: ["fixed", "target"] })).toEqual([
      "Minimum Threshold: $5.00 → $10.00",
      "Auto-Recharge: off → on",
      "Monthly limit: $500.00 → none",
      "How much to charge: a fixed amount → top up to a target",
    ]);
    expect(changeLines({ card: ["Visa •••• 0002", "Visa •••• 4242"], payment_method_id: ["pm_a", "pm_b"] })).toEqual(["Card: Visa •••• 0002 → Visa •••• 4242"]);
    // Issue 30: the backup card by its label, and the consent's sentence word for word.
    expect(changeLines({ backup_card: [null, "Visa •••• 4242"], consent: [null, "I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00."] })).toEqual([
      "Backup card: Visa •••• 4242",
      "Agreed to: I authorise Acme Voice to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00.",
    ]);
    const at = "2026-12-07T17:40:00.000Z";
    expect(changeLines({ id: ["key_1", "key_1"], name: ["CI deploy", "CI deploy"], revoked_at: [null, at] })).toEqual(["Name: CI deploy", `Revoked: ${dateTimeText(at)}`]);
  });

  it("titles a row by what it was about", () => {
    expect(entryTitle({ action: "api_key.revoked", changes: { id: ["key_1", "key_1"], name: ["CI deploy", "CI deploy"], revoked_at: [null, "2026-12-07T17:40:00.000Z"] } })).toBe("API key revoked: “CI deploy”");
    expect(entryTitle({ action: "auto_recharge.updated", changes: { card: ["Visa •••• 0002", "Visa •••• 4242"], payment_method_id: ["pm_a", "pm_b"] } })).toBe("Auto-Recharge now charges Visa •••• 4242");
    expect(entryTitle({ action: "auto_recharge.updated", changes: { threshold: ["5.00", "8.00"] } })).toBe("Auto-Recharge settings changed");
  });
});

// Issue 28, item 10: an email's "250" is the mail server's acceptance, not an HTTP status.
describe("a delivery's last answer", () => {
  it("reads a webhook's status as HTTP and an email's as the mail server's", () => {
    expect(answerText("webhook", 503)).toBe("HTTP 503");
    expect(answerText("email", 250)).toBe("accepted by the mail server");
    expect(answerText("email", 451)).toBe("mail server answered 451");
  });
});
