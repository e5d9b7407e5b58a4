import { describe, expect, it } from "vitest";
import { runCli } from "../support/processes.js";
import { onPostgres } from "../support/test-database.js";

// The demo always runs on its own in-memory PGlite, so one run covers it.
describe.runIf(!onPostgres)("prepaid simulate", () => {
  it("drains a wallet, recharges once, pauses on a declining card and resumes on a new one", async () => {
    const run = await runCli(["simulate", "--calls", "20"], {}, 120_000);
    expect(run.output).toContain("✓ The balance fell below $10 and Auto-Recharge charged $50, once.");
    expect(run.output).toContain("Your card was declined.");
    expect(run.output).toContain("a new call is refused with 402 account_paused");
    expect(run.output).toMatch(/✓ Account active again: balance \$[\d.]+, 2 recharge\(s\) succeeded, 1 failed\./);
    expect(run.output).toContain("verify: ok");
    expect(run.code).toBe(0);
  }, 150_000);
});
