import { describe, expect, it } from "vitest";
import { openPage, signIn } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, getAccount, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";

// The dashboard on Stripe: the card form sends the card to (the local) Stripe's API from the
// browser, and our server receives only the payment method id.
const app = useScenarioApp({ PREPAID_PAYMENTS: "stripe", PREPAID_SANDBOX_DELAY_MS: "100" });
const browser = useBrowser();

describe("Payments page on Stripe", { timeout: 90_000 }, () => {
  it("saves a card at Stripe from the browser, never through our API, then Auto-Recharge charges it", async () => {
    const account = await accountWith(app, { balance: "3.00", webWidget: true });
    const watched = await openPage(browser, app.server.url);
    const { page } = watched;
    const bodiesToUs: string[] = [];
    const bodiesToStripe: string[] = [];
    page.on("request", (request) => {
      const body = request.postData() ?? "";
      if (request.url().startsWith(app.server.url)) bodiesToUs.push(body);
      if (request.url().startsWith(app.stripe!.url)) bodiesToStripe.push(body);
    });
    await signIn(page, account.key);

    await page.getByRole("button", { name: "Add a card" }).click();
    await page.getByRole("button", { name: "Test cards" }).click();
    await expect.poll(() => page.getByRole("dialog", { name: "Stripe test cards" }).textContent()).toContain("Stripe test mode");
    await page.getByRole("button", { name: "Test cards" }).click();
    await page.getByRole("textbox", { name: "Card number" }).fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM/YY)").fill("12/34");
    await page.getByLabel("CVC").fill("123");
    await page.getByRole("button", { name: "Save card" }).click();
    await expect.poll(() => page.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 4242");

    expect(bodiesToStripe.some((b) => b.includes("4242424242424242"))).toBe(true);
    expect(bodiesToUs.some((b) => b.includes("4242424242424242") || b.includes("4242 4242"))).toBe(false);
    expect(bodiesToUs.some((b) => /"provider_payment_method":"pm_/.test(b))).toBe(true);

    await page.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await page.getByLabel("Minimum Threshold").fill("10");
    await page.getByLabel("Auto-Recharge Amount").fill("25");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByTestId("charge-confirmation").textContent()).toBe("This will charge $25.00 to Visa •••• 4242 now.");
    await page.getByRole("button", { name: "Confirm and charge" }).click();
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$28.00");
    const [recharge] = await settled(app, account);
    expect(recharge).toMatchObject({ status: "succeeded", amount: "25.00" });
    expect(app.stripe!.chargesOf(account.id)).toEqual([{ idempotency_key: recharge!.id, status: "succeeded", attempts: 1, amount_micros: 25_000_000n }]);
    expect((await getAccount(app, account)).balance).toBe("28.00");

    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a payment the bank held for authentication is confirmed from the failure banner; the wallet is credited and resumes", async () => {
    const account = await accountWith(app, { balance: "0.10", webWidget: true });
    await addCard(app, account, CARDS.authenticationRequired);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const [failed] = await settled(app, account);
    expect(failed).toMatchObject({ status: "failed", failure_code: "authentication_required" });

    const watched = await openPage(browser, app.server.url);
    const { page } = watched;
    await signIn(page, account.key);
    await expect.poll(() => page.getByTestId("failure-banner").textContent()).toContain("Your bank asks you to confirm this payment.");
    await expect.poll(() => page.getByTestId("paused-banner").count()).toBe(1);
    await page.getByRole("button", { name: "Confirm payment" }).click();
    await expect.poll(() => page.getByTestId("confirm-note").textContent()).toBe("Payment confirmed. Your balance is updated in a moment.");
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$50.10");
    await expect.poll(() => page.getByTestId("paused-banner").count()).toBe(0);
    await expect.poll(() => page.getByTestId("failure-banner").count()).toBe(0);
    expect((await settled(app, account)).map((r) => [r.id, r.status])).toEqual([[failed!.id, "succeeded"]]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });
});
