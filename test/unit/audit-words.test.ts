import { describe, expect, it } from "vitest";
import { actionText, actorText, changeLines } from "../../web/src/settings/audit-words.js";

describe("the Activity list's words", () => {
  it("names actions plainly, and shows an unknown one as it is rather than hiding it", () => {
    expect(actionText("auto_recharge.updated")).toBe("Auto-Recharge settings changed");
    expect(actionText("delivery.resent")).toBe("Delivery resent");
    expect(actionText("something.new")).toBe("something.new");
  });

  it("names who acted", () => {
    expect(actorText({ type: "operator", id: "key_env_admin" })).toBe("The operator");
    expect(actorText({ type: "session", id: "ses_1" })).toBe("Payments page session ses_1");
    expect(actorText({ type: "api_key", id: "key_1" })).toBe("API key key_1");
  });

  it("says each change as before → after, an addition as its value", () => {
    expect(changeLines({ threshold: ["5.00", "10.00"], enabled: [false, true], monthly_limit: ["500.00", null], entry_id: [null, "txn_1"] })).toEqual([
      "threshold: 5.00 → 10.00",
      "enabled: off → on",
      "monthly_limit: 500.00 → none",
      "entry_id: txn_1",
    ]);
  });
});
