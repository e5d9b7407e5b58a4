import { describe, expect, it } from "vitest";
import { axeViolations, openSignedIn, type WatchedPage } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, debit, getAccount, recharges, saveAutoRecharge, settled, useScenarioApp, waitFor } from "../support/scenario.js";

// Add funds (issue 15, item 1) and feedback that finishes (item 4), in Chromium against the real
// server: the page names the amount and the card before charging, then says what happened.
const app = useScenarioApp({ PREPAID_SANDBOX_DELAY_MS: "300" });
const browser = useBrowser();

const open = (key: string, width = 1280): Promise<WatchedPage> => openSignedIn(browser, app.server.url, key, width);

describe("Add funds", { timeout: 90_000 }, () => {
  it("from the paused banner: names amount and card, charges once, says so, and the account resumes", async () => {
    const account = await accountWith(app, { balance: "12.00", webWidget: true });
    await addCard(app, account, CARDS.visa);
    await addCard(app, account, CARDS.declinesOnCharge, true);
    expect((await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" })).status).toBe(200);
    expect((await debit(app, account.id, "11.99")).status).toBe(201);
    await waitFor("the pause", async () => ((await getAccount(app, account)).status === "paused" ? true : undefined));

    const watched = await open(account.key);
    const { page } = watched;
    const paused = page.getByTestId("paused-banner");
    await paused.getByRole("button", { name: "Add funds" }).click();
    await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("add-funds-title");

    const section = page.locator("#add-funds");
    await section.getByRole("radio", { name: "$25.00" }).check();
    await section.getByLabel("Card", { exact: true }).selectOption({ label: "Visa •••• 4242" });
    await section.getByRole("button", { name: "Review" }).click();
    await expect.poll(() => page.getByTestId("add-funds-confirmation").textContent()).toBe("This will charge $25.00 to Visa •••• 4242 now.");
    expect(await recharges(app, account)).toHaveLength(1); // only the failed automatic one: nothing before confirming

    await section.getByRole("button", { name: "Confirm and charge" }).click();
    await expect.poll(() => page.getByTestId("add-funds-outcome").textContent(), { timeout: 15_000 }).toBe("Charged $25.00 to Visa •••• 4242 — balance $25.01.");
    await expect.poll(() => page.getByTestId("paused-banner").count()).toBe(0);

    const manual = (await settled(app, account)).filter((r) => r.trigger === "manual");
    expect(manual.map((r) => [r.amount, r.status])).toEqual([["25.00", "succeeded"]]);
    const after = await getAccount(app, account);
    expect([after.status, after.balance]).toEqual(["active", "25.01"]);
    expect(await axeViolations(page, "#add-funds")).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("from the wallet, at 375 px: a typed amount the server refuses is shown by the field; a declined card says why and what to do", async () => {
    const account = await accountWith(app, { balance: "3.00" });
    await addCard(app, account, CARDS.declinesOnCharge);
    const watched = await open(account.key, 375);
    const { page } = watched;
    await page.locator(".wallet").getByRole("button", { name: "Add funds" }).click();
    const section = page.locator("#add-funds");
    await section.getByRole("radio", { name: "Other" }).check();
    await section.getByLabel("Other amount").fill("2.999");
    await section.getByRole("button", { name: "Review" }).click();
    await expect.poll(() => section.getByRole("alert").textContent()).toBe("The amount must be whole cents (at most 2 decimals).");

    await section.getByLabel("Other amount").fill("2");
    await section.getByRole("button", { name: "Review" }).click();
    await section.getByRole("button", { name: "Confirm and charge" }).click();
    // Below the operator's minimum: the server's refusal, beside the field; nothing charged.
    await expect.poll(() => section.getByRole("alert").textContent()).toBe("The amount must be between $5.00 and $10,000.00.");
    expect(await recharges(app, account)).toEqual([]);

    await section.getByLabel("Other amount").fill("12.50");
    await section.getByRole("button", { name: "Review" }).click();
    await expect.poll(() => page.getByTestId("add-funds-confirmation").textContent()).toBe("This will charge $12.50 to Visa •••• 0341 now.");
    await section.getByRole("button", { name: "Confirm and charge" }).click();
    await expect.poll(() => page.getByTestId("add-funds-outcome").textContent(), { timeout: 15_000 }).toBe(
      "The charge of $12.50 to Visa •••• 0341 failed: Your card was declined. Try another card, or add a new one.",
    );
    expect((await getAccount(app, account)).balance).toBe("3.00");
    expect(await axeViolations(page, "#add-funds")).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("without a card, offers to add one instead of a form", async () => {
    const account = await accountWith(app, { balance: "3.00" });
    const watched = await open(account.key);
    const { page } = watched;
    const section = page.locator("#add-funds");
    await expect.poll(() => section.textContent()).toContain("Funds are charged to a saved card, and there is none yet.");
    await section.getByRole("button", { name: "Save a card first" }).click();
    await expect.poll(() => page.getByRole("textbox", { name: "Card number" }).count()).toBe(1);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });
});
