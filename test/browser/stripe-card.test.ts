import { sql } from "drizzle-orm";
import type { BrowserContext, FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostPlatform, type HostOptions } from "../../examples/host-platform/server.js";
import { openPage, routeStripe, signIn, type WatchedPage } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, getAccount, recharges, saveAutoRecharge, settled, waitFor } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// The Payments page on Stripe (issue 30): the card is typed in Stripe.js's Payment Element, in a
// frame of Stripe's origin, and never reaches ours; a bank's 3-D Secure challenge is shown by
// Stripe.js on every path (saving a card, Add funds, the failure banner's recovery). Real
// Stripe.js cannot be loaded here, so the browser's requests to js.stripe.com, hooks.stripe.com
// and api.stripe.com are routed to the local Stripe-compatible server, which serves a fake
// Stripe.js and works on the same state the SDK tests use (test/support/stripe-server).
const browser = useBrowser();
let app: TestApp;
const hostOptions: HostOptions = { prepaidUrl: "", operatorKey: "", accountId: "" };
let host: Awaited<ReturnType<typeof startHostPlatform>>;

beforeAll(async () => {
  host = await startHostPlatform(hostOptions);
  app = await startTestApp({ PREPAID_PAYMENTS: "stripe", PREPAID_SANDBOX_DELAY_MS: "50", PREPAID_EMBED_ORIGINS: host.url });
  hostOptions.prepaidUrl = app.server.url;
  hostOptions.operatorKey = app.adminKey;
});
afterAll(async () => {
  await app?.close();
  await host?.close();
});

/** Every request the browser made, from the page and every frame in it: where it went and all it carried. */
interface Sent {
  url: string;
  carried: string;
}

function recordRequests(context: BrowserContext): Sent[] {
  const sent: Sent[] = [];
  context.on("request", (request) => {
    const headers = Object.entries(request.headers()).map(([k, v]) => `${k}: ${v}`).join("\n");
    sent.push({ url: request.url(), carried: `${request.url()}\n${headers}\n${request.postData() ?? ""}` });
  });
  return sent;
}

/** A card number in any of the forms a form or a log could hold it: plain, spaced, dashed. */
const numberForms = (digits: string) => [digits, digits.replace(/(\d{4})(?=\d)/g, "$1 "), digits.replace(/(\d{4})(?=\d)/g, "$1-"), digits.replace(/(\d{4})(?=\d)/g, "$1+")];

/** The requests that went to our service, carrying any form of `digits`. */
function toUsWith(sent: Sent[], digits: string): string[] {
  const ours = new URL(app.server.url).origin;
  return sent.filter((s) => new URL(s.url).origin === ours && numberForms(digits).some((f) => s.carried.includes(f))).map((s) => s.url);
}

async function openStripePage(key: string): Promise<WatchedPage & { sent: Sent[] }> {
  const watched = await openPage(browser, app.server.url);
  const sent = recordRequests(watched.context);
  await routeStripe(watched.context, app.stripe!.url);
  await signIn(watched.page, key);
  return { ...watched, sent };
}

/** Types a card into Stripe's Payment Element (the frame of Stripe's origin) inside `root`. */
async function typeCard(root: Page | FrameLocator, number: string): Promise<void> {
  const element = root.frameLocator('iframe[title="Secure payment input frame"]');
  await element.getByLabel("Card number").fill(number);
  await element.getByLabel("Expiration date").fill("12 / 34");
  await element.getByLabel("Security code").fill("123");
}

/** Answers the bank's challenge Stripe.js shows (a frame of hooks.stripe.com). */
async function answerChallenge(root: Page | FrameLocator, answer: "Complete" | "Fail"): Promise<void> {
  await root.frameLocator('iframe[title="3D Secure authentication"]').getByRole("button", { name: answer, exact: true }).click();
}

async function saveCardThroughElement(page: Page, number: string): Promise<void> {
  await page.getByRole("button", { name: "Add a card" }).click();
  await typeCard(page, number);
  await page.getByRole("button", { name: "Save card" }).click();
}

describe("Payments page on Stripe", { timeout: 120_000 }, () => {
  it("a card typed in Stripe's own field is saved through a SetupIntent; no request to our origin ever carries its number; Auto-Recharge asks for consent and records the exact sentence", async () => {
    const account = await accountWith(app, { balance: "3.00", webWidget: true });
    const watched = await openStripePage(account.key);
    const { page, sent } = watched;

    // Our page holds no input a card number could be typed in: the field is Stripe's frame.
    await page.getByRole("button", { name: "Add a card" }).click();
    await page.frameLocator('iframe[title="Secure payment input frame"]').getByLabel("Card number").waitFor();
    expect(await page.locator("input").evaluateAll((inputs) => inputs.map((i) => (i as { id: string }).id))).not.toContain("card-number");
    await typeCard(page, "4242 4242 4242 4242");
    await page.getByRole("button", { name: "Save card" }).click();
    await expect.poll(() => page.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 4242");

    await page.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await page.getByLabel("Minimum Threshold").fill("10");
    await page.getByLabel("Auto-Recharge Amount").fill("25");
    await page.getByLabel("Monthly limit").fill("200");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const sentence = "I authorise prepaid to charge Visa •••• 4242 $25.00 whenever my balance falls below $10.00, at most $200.00 a month.";
    await expect.poll(() => page.getByTestId("consent-text").textContent()).toBe(sentence);
    await expect.poll(() => page.getByTestId("charge-confirmation").textContent()).toBe("This will charge $25.00 to Visa •••• 4242 now.");
    await page.getByRole("button", { name: "Agree and charge" }).click();
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$28.00");

    const consents = await app.request("GET", `/v1/accounts/${account.id}/consents`, { key: account.key });
    expect(consents.body.data).toHaveLength(1);
    expect(consents.body.data[0]).toMatchObject({ text: sentence, actor: { type: "api_key" } });
    expect(consents.body.data[0].id).toMatch(/^cns_/);
    // The automatic charge carries the consent it rests on, at Stripe.
    const [charge] = app.stripe!.paymentIntentsOf(app.stripe!.customerIdOf(account.id)!);
    expect(charge!.metadata.consent_id).toBe(consents.body.data[0].id);

    // Activity says it in words, with the sentence agreed to.
    await page.goto(`${app.server.url}/settings`);
    await expect.poll(() => page.getByRole("list", { name: "Activity" }).textContent()).toContain(`Agreed to: ${sentence}`);

    // Positive control: the number did travel, from Stripe's frame to Stripe's API.
    expect(sent.some((s) => s.url.startsWith("https://api.stripe.com/v1/payment_methods") && s.carried.includes("4242424242424242"))).toBe(true);
    expect(toUsWith(sent, "4242424242424242")).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a card whose bank asks for 3-D Secure: a passed challenge saves it, a failed one saves nothing and says so", async () => {
    const account = await accountWith(app, { balance: "20.00", webWidget: true });
    const watched = await openStripePage(account.key);
    const { page, sent } = watched;

    await saveCardThroughElement(page, "4000 0027 6000 3184");
    await answerChallenge(page, "Fail");
    await expect.poll(() => page.getByRole("form", { name: "Add a card" }).textContent()).toContain("Your bank's check was not completed, so the card was not saved.");
    expect((await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key })).body.data).toEqual([]);

    // Again, and this time the cardholder passes the bank's check.
    await page.getByRole("button", { name: "Save card" }).click();
    await answerChallenge(page, "Complete");
    await expect.poll(() => page.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 3184");
    const saved = (await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key })).body.data;
    expect(saved.map((m: { last4: string }) => m.last4)).toEqual(["3184"]);
    expect(toUsWith(sent, "4000002760003184")).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("Add funds on Stripe is confirmed in the page: a challenge passed credits it once; a failed one charges nothing and says so", async () => {
    const account = await accountWith(app, { balance: "1.00", webWidget: true });
    const watched = await openStripePage(account.key);
    const { page } = watched;
    await saveCardThroughElement(page, "4000 0027 6000 3184");
    await answerChallenge(page, "Complete");
    await expect.poll(() => page.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 3184");

    // Failed challenge: nothing charged, the page says so, the payment is cancelled at Stripe.
    await page.getByRole("button", { name: "Review" }).click();
    await page.getByRole("button", { name: "Confirm and charge" }).click();
    await answerChallenge(page, "Fail");
    await expect.poll(() => page.getByTestId("add-funds-outcome").textContent(), { timeout: 15_000 }).toContain("Your bank's check was not completed, so nothing was charged.");
    const [failed] = await recharges(app, account);
    expect(failed).toMatchObject({ status: "failed", failure_code: "authentication_failed", trigger: "manual" });
    expect(app.stripe!.paymentIntentsOf(app.stripe!.customerIdOf(account.id)!).map((pi) => pi.status)).toEqual(["canceled"]);
    expect((await getAccount(app, account)).balance).toBe("1.00");

    // Passed challenge: credited once.
    await page.getByRole("button", { name: "Review" }).click();
    await page.getByRole("button", { name: "Confirm and charge" }).click();
    await answerChallenge(page, "Complete");
    await expect.poll(() => page.getByTestId("add-funds-outcome").textContent(), { timeout: 15_000 }).toContain("Charged $25.00 to Visa •••• 3184");
    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$26.00");
    const list = await settled(app, account);
    expect(list.map((r) => [r.status, r.failure_code])).toEqual([["succeeded", null], ["failed", "authentication_failed"]]);
    expect(app.stripe!.chargesOf(account.id).filter((c) => c.status === "succeeded")).toHaveLength(1);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a payment the bank held for authentication is confirmed from the failure banner, the challenge shown by Stripe.js; the wallet is credited once and resumes", async () => {
    const account = await accountWith(app, { balance: "0.10", webWidget: true });
    await addCard(app, account, CARDS.authenticationRequired);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "50" });
    const [failed] = await settled(app, account);
    expect(failed).toMatchObject({ status: "failed", failure_code: "authentication_required" });

    const watched = await openStripePage(account.key);
    const { page } = watched;
    await expect.poll(() => page.getByTestId("failure-banner").textContent()).toContain("Your bank asks you to confirm this payment.");
    await expect.poll(() => page.getByTestId("paused-banner").count()).toBe(1);
    await page.getByRole("button", { name: "Confirm payment" }).click();
    await answerChallenge(page, "Complete");
    await expect.poll(() => page.getByTestId("confirm-note").textContent()).toBe("Payment confirmed. Your balance is updated.");
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$50.10");
    await expect.poll(() => page.getByTestId("paused-banner").count()).toBe(0);
    await expect.poll(() => page.getByTestId("failure-banner").count()).toBe(0);
    expect((await settled(app, account)).map((r) => [r.id, r.status])).toEqual([[failed!.id, "succeeded"]]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("inside the platform's frame: a card is saved in Stripe's field with a challenge, and Add funds passes its challenge", async () => {
    const account = await accountWith(app, { balance: "2.00", webWidget: true });
    hostOptions.accountId = account.id;
    hostOptions.role = "owner";
    const watched = await openPage(browser, host.url);
    const sent = recordRequests(watched.context);
    await routeStripe(watched.context, app.stripe!.url);
    const { page } = watched;
    await page.goto("/");
    await page.getByRole("button", { name: "Payments" }).click();
    const frame = page.frameLocator("iframe[title=Payments]");
    await frame.locator("main.content").waitFor();

    await frame.getByRole("button", { name: "Add a card" }).click();
    await typeCard(frame, "4000 0027 6000 3184");
    await frame.getByRole("button", { name: "Save card" }).click();
    await answerChallenge(frame, "Complete");
    await expect.poll(() => frame.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 3184");

    await frame.getByRole("button", { name: "Review" }).click();
    await frame.getByRole("button", { name: "Confirm and charge" }).click();
    await answerChallenge(frame, "Complete");
    await expect.poll(() => frame.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$27.00");
    // The session's consent-free top-up and the card: neither carried the number to our origin.
    expect(toUsWith(sent, "4000002760003184")).toEqual([]);
    expect(sent.some((s) => s.url.startsWith("https://api.stripe.com/v1/payment_methods") && s.carried.includes("4000002760003184"))).toBe(true);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("an Add funds whose challenge is never answered is cancelled at its confirm-by time: nothing charged, and said so", async () => {
    const account = await accountWith(app, { balance: "5.00", webWidget: true });
    const watched = await openStripePage(account.key);
    const { page } = watched;
    await saveCardThroughElement(page, "4000 0027 6000 3184");
    await answerChallenge(page, "Complete");
    await expect.poll(() => page.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 3184");
    await page.getByRole("button", { name: "Review" }).click();
    await page.getByRole("button", { name: "Confirm and charge" }).click();
    await page.frameLocator('iframe[title="3D Secure authentication"]').getByRole("button", { name: "Complete" }).waitFor();
    // The customer walks away from the challenge; their 15 minutes pass (moved, not waited).
    const [open] = await recharges(app, account);
    expect(open).toMatchObject({ status: "pending", trigger: "manual" });
    expect(open!.confirm_by).not.toBeNull();
    await watched.context.close();
    await app.db.db.execute(sql`update recharges set confirm_by = now(), next_attempt_at = now() where id = ${open!.id}`);
    const [ended] = await waitFor("the worker to end the unconfirmed top-up", async () => {
      const list = await recharges(app, account);
      return list[0]?.status === "failed" ? list : undefined;
    });
    expect(ended).toMatchObject({ id: open!.id, failure_code: "payment_not_confirmed", failure_message: "The payment was not confirmed in time, so nothing was charged." });
    expect(app.stripe!.paymentIntentsOf(app.stripe!.customerIdOf(account.id)!).map((pi) => pi.status)).toEqual(["canceled"]);
    expect((await getAccount(app, account)).balance).toBe("5.00");
  });
});
