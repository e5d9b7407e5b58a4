import { describe, expect, it } from "vitest";
import { openSignedIn } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, waitFor } from "../support/scenario.js";
import { FakeTwilio } from "../support/voice/fake-twilio.js";
import { useVoiceApp } from "../support/voice/use-voice-app.js";

// History, as a billing person reads it, for calls prepaid took from Twilio: where each came
// from, the provider's own id and count, and why one was refused.
const twilio = new FakeTwilio();
const app = useVoiceApp(twilio, { PREPAID_CONNECTOR_TICK: "1s" });
const browser = useBrowser();

describe("History of calls from a voice provider", { timeout: 90_000 }, () => {
  it("names the provider and its call id, shows what it counted, and says why a call was refused", async () => {
    const account = await accountWith(app, { balance: "0.30" });
    const call = twilio.dial(account.id);
    await twilio.ring(call);
    await twilio.answer(call, new Date(Date.now() - 61_000));
    await twilio.end(call);
    const seconds = twilio.durationOf(call);
    // $0.30 less the call leaves under a minute's hold: the next call is refused and hung up.
    const refused = twilio.dial(account.id);
    expect((await (await twilio.ring(refused)).json()) as unknown).toMatchObject({ outcome: "refused" });
    await waitFor("the refused call hung up", async () => (twilio.hangUps.includes(refused.id) ? true : undefined));

    const { page } = await openSignedIn(browser, app.server.url, account.key, 1280);
    const rows = page.getByRole("table", { name: "Calls" }).locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    // Newest first: the refused call, then the one that talked.
    expect(await rows.nth(0).locator("td").nth(4).textContent()).toBe("Refused");
    expect(await rows.nth(1).locator("td").nth(4).textContent()).toBe("Ended");

    await page.getByRole("button", { name: `Show details of call twilio-${call.id}` }).click();
    const facts = page.locator("tr.details dl");
    await expect.poll(() => facts.textContent()).toContain(`FromTwilio call ${call.id}; Twilio counted ${seconds} seconds`);
    await page.getByRole("button", { name: `Show details of call twilio-${refused.id}` }).click();
    await expect.poll(() => facts.textContent()).toContain("Refusednot enough credit for the call's first minute; prepaid hung it up at the provider");
  });
});
