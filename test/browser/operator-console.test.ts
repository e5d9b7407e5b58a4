import { describe, expect, it } from "vitest";
import { axeViolations, openPage, openSignedIn } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, settled, useScenarioApp } from "../support/scenario.js";

// The operator console in a real Chromium against the real server: signed in with the operator
// key, which the tab trades for an operator session at once.
const app = useScenarioApp();
const browser = useBrowser();

const CREDENTIAL_IN_TAB = `sessionStorage.getItem("prepaid.credential")`;

describe("operator console", { timeout: 90_000 }, () => {
  it("signs in with an operator session, creates an agency and a subaccount, adjusts with a reason, issues a key, opens a viewer link, finds accounts by risk, signs out", async () => {
    const watched = await openSignedIn(browser, app.server.url, app.adminKey);
    const { page } = watched;
    await page.getByRole("heading", { name: "Accounts", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/operator");
    // The tab keeps an operator session's token, never the operator key.
    const stored = JSON.parse((await page.evaluate<string>(CREDENTIAL_IN_TAB))!) as { token: string; kind: string };
    expect(stored.kind).toBe("operator");
    expect(stored.token).toMatch(/^pps_/);
    expect(await page.evaluate<string>(CREDENTIAL_IN_TAB)).not.toContain(app.adminKey);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel("Name", { exact: true }).fill("Console Agency");
    await page.getByLabel("Account type").selectOption("agency");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Console Agency", level: 1 }).waitFor();
    const agencyId = new URL(page.url()).pathname.split("/").pop()!;

    await page.getByLabel("Name", { exact: true }).fill("Console Sub");
    await page.getByRole("button", { name: "Create subaccount" }).click();
    await page.getByRole("heading", { name: "Console Sub", level: 1 }).waitFor();
    const subId = new URL(page.url()).pathname.split("/").pop()!;
    const sub = (await app.request("GET", `/v1/accounts/${subId}`, { key: app.adminKey })).body;
    expect(sub).toMatchObject({ type: "subaccount", parent_id: agencyId });

    // An adjustment is reviewed before it is posted, then audited as this session.
    await page.getByLabel("Amount (USD; negative to debit)").fill("5");
    await page.getByLabel("Reason", { exact: true }).fill("credit for a call dropped on 2 Dec");
    await page.getByRole("button", { name: "Review adjustment" }).click();
    const review = page.getByRole("group", { name: "Confirm the adjustment" });
    await expect.poll(() => review.textContent()).toContain("Credit $5.00 to Console Sub");
    expect((await app.request("GET", `/v1/accounts/${subId}`, { key: app.adminKey })).body.balance).toMatch(/^0\.0+$/);
    await review.getByRole("button", { name: "Post adjustment" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Posted +$5.00" }).count()).toBe(1);
    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$5.00");
    const audit = (await app.request("GET", `/v1/accounts/${subId}/audit-log`, { key: app.adminKey })).body.data;
    expect(audit[0]).toMatchObject({ action: "balance.adjusted", actor: { type: "operator" } });
    expect(audit[0].actor.id).toMatch(/^ses_/);

    // A usage key for the subaccount's call infrastructure, shown once.
    await page.getByLabel("Key name").fill("telephony");
    await page.getByLabel("Key scope").selectOption("usage");
    await page.getByRole("button", { name: "Issue key" }).click();
    const key = await page.getByRole("group", { name: "New usage key for Console Sub" }).getByRole("textbox").inputValue();
    expect((await app.request("GET", "/v1/me", { key })).body).toMatchObject({ id: subId, credential: { type: "api_key", scope: "usage" } });
    await page.getByRole("button", { name: "Done" }).click();

    // The calls it may run at once: set by the operator, met by the next start.
    await page.getByLabel("Most calls at once (empty: unlimited)").fill("1");
    await page.getByRole("button", { name: "Save limit" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved: at most 1 call at once." }).count()).toBe(1);
    expect((await app.request("POST", "/v1/calls", { key, body: { account_id: subId, call_id: "console-1" } })).status).toBe(201);
    const over = await app.request("POST", "/v1/calls", { key, body: { account_id: subId, call_id: "console-2" } });
    expect(over.body.error).toMatchObject({ code: "concurrency_limited", used: 1, limit: 1 });
    await expect.poll(() => page.getByTestId("running-calls").textContent(), { timeout: 10_000 }).toBe("1 running now, holding $0.16; limit: 1.");

    // A viewer link: the account's own page, with no control.
    await page.getByRole("button", { name: "Make a viewer link" }).click();
    const link = await page.getByTestId("viewer-link").getAttribute("href");
    expect(link).toContain("/s#code=");
    const viewer = await openPage(browser, app.server.url);
    await viewer.page.goto(link!);
    await expect.poll(() => viewer.page.getByText("View only.").count()).toBe(1);
    await expect.poll(() => viewer.page.getByTestId("balance").textContent()).toBe("$5.00");
    expect(await viewer.page.getByTestId("wallet-running-calls").textContent()).toBe("1 call running, holding $0.16 until it ends (at most 1 at once)");
    expect(await viewer.page.getByRole("button", { name: "Add a card" }).count()).toBe(0);
    await viewer.context.close();
    expect(await axeViolations(page)).toEqual([]);

    // Back to every account: found by name, and by its risk ($5 is below the default $10 threshold, Auto-Recharge off).
    await page.getByRole("navigation").getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("searchbox", { name: "Search" }).fill("Console Sub");
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    const rows = page.getByRole("table", { name: "Accounts" }).locator("tbody tr");
    await expect.poll(async () => (await rows.locator("td:first-child").allTextContents()).join(", ")).toBe("Console Sub");
    await page.getByLabel("Show").selectOption("unprotected_below_threshold");
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel("Show").selectOption("payment_failing");
    await expect.poll(() => rows.count()).toBe(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Signed out of the operator console." }).count()).toBe(1);
    expect((await app.request("GET", "/v1/accounts?limit=1", { key: stored.token })).status).toBe(401);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("refunds part of a paid charge: chosen, reviewed, sent, and shown refunded once the provider confirms", async () => {
    const account = await accountWith(app, { webWidget: true });
    await addCard(app, account, CARDS.visa, true);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    await settled(app, account);
    const watched = await openSignedIn(browser, app.server.url, app.adminKey);
    const { page } = watched;
    await page.goto(`${app.server.url}/operator/accounts/${account.id}`);
    await page.getByRole("heading", { name: "Refund a payment" }).waitFor();
    await expect.poll(() => page.getByLabel("Payment to refund").locator("option").count()).toBe(2);
    await page.getByLabel("Payment to refund").selectOption(topUp.body.id);
    await page.getByLabel("Amount (USD; empty: all that is left)").fill("20");
    await page.getByLabel("Reason for the refund").fill("customer asked");
    await page.getByRole("button", { name: "Review refund" }).click();
    const review = page.getByRole("group", { name: "Confirm the refund" });
    await expect.poll(() => review.textContent()).toContain("Refund $20.00 of the $50.00 · Visa •••• 4242");
    expect(await axeViolations(page)).toEqual([]);
    await review.getByRole("button", { name: "Send refund" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Refund of $20.00 requested" }).count()).toBe(1);
    await expect.poll(() => page.getByTestId("refunds").textContent(), { timeout: 10_000 }).toContain("$20.00 · Refunded · customer asked");
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 10_000 }).toBe("$30.00");
    // What is left of the payment is what the form offers next.
    await expect.poll(() => page.getByLabel("Payment to refund").locator("option").nth(1).textContent()).toContain("($30.00 left)");
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("gives promotional credit expiring tomorrow: reviewed, sent, and shown on the account's page with its expiry notice, and on the owner's page", async () => {
    const account = await accountWith(app, { balance: "10.00", webWidget: true });
    const watched = await openSignedIn(browser, app.server.url, app.adminKey);
    const { page } = watched;
    await page.goto(`${app.server.url}/operator/accounts/${account.id}`);
    await page.getByRole("heading", { name: "Give credit" }).waitFor();
    // Tomorrow in the browser's own zone, as its date picker gives it.
    const tomorrow = await page.evaluate(() => {
      const d = new Date(Date.now() + 24 * 3600 * 1000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    });
    await page.getByLabel("Credit (USD)").fill("5");
    await page.getByLabel("Expires after (empty: never)").fill(tomorrow);
    await page.getByLabel("Reason for the credit").fill("trial minutes");
    await page.getByRole("button", { name: "Review credit" }).click();
    const review = page.getByRole("group", { name: "Confirm the credit" });
    await expect.poll(() => review.textContent()).toContain("$5.00 of promotional credit, expiring");
    expect(await axeViolations(page)).toEqual([]);
    await review.getByRole("button", { name: "Give credit" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Granted $5.00, expiring" }).count()).toBe(1);
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 10_000 }).toBe("$15.00");
    await expect.poll(() => page.getByTestId("wallet-granted").textContent()).toContain("Includes $5.00 of granted credit");
    await expect.poll(() => page.getByTestId("grants").textContent()).toContain("Promotional credit · $5.00 · $5.00 left · expires");
    await expect.poll(() => page.getByTestId("grant-expiry-notice").textContent()).toContain("$5.00 of promotional credit expires");
    expect(watched.problems).toEqual([]);
    await watched.context.close();

    // The owner sees the same on its Payments page.
    const owner = await openSignedIn(browser, app.server.url, account.key);
    await expect.poll(() => owner.page.getByTestId("grants").textContent(), { timeout: 10_000 }).toContain("$5.00 left");
    await expect.poll(() => owner.page.getByTestId("grant-expiry-notice").count()).toBe(1);
    expect(await axeViolations(owner.page)).toEqual([]);
    expect(owner.problems).toEqual([]);
    await owner.context.close();
  });
});
