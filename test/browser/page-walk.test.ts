import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostPlatform, type HostOptions } from "../../examples/host-platform/server.js";
import { openPage, openSessionLink, openSignedIn, signIn } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, debit, reportUsage, startCall } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Issue 28: what made a billing person hesitate on a walk through the pages, each checked the
// way they met it — in Chromium, at 320–1440 px, standalone and framed, as owner and viewer.
const browser = useBrowser();
let app: TestApp;
const hostOptions: HostOptions = { prepaidUrl: "", operatorKey: "", accountId: "" };
let host: Awaited<ReturnType<typeof startHostPlatform>>;

beforeAll(async () => {
  host = await startHostPlatform(hostOptions);
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_EMBED_ORIGINS: host.url });
  hostOptions.prepaidUrl = app.server.url;
  hostOptions.operatorKey = app.adminKey;
});
afterAll(async () => {
  await app?.close();
  await host?.close();
});

/** Every axe rule (WCAG and best practice, landmark-unique among them) on the page or frame. */
async function axeAll(target: Page | Frame): Promise<string[]> {
  const { readFileSync } = await import("node:fs");
  const { createRequire } = await import("node:module");
  await target.evaluate(readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8"));
  return target.evaluate(
    `axe.run(document.body, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }).then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`,
  ) as Promise<string[]>;
}

/** How far the document is wider than its window, in px (0: no horizontal scroll). */
const overflow = (target: Page | Frame) => target.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") as Promise<number>;

/** A user with a history that has a call, a payment and several reports; an agency with a subaccount. */
async function fixture() {
  const user = await accountWith(app, { balance: "12.00", webWidget: true });
  await addCard(app, user, CARDS.visa, true);
  const call = await startCall(app, user);
  for (const s of [20, 40, 60]) await reportUsage(app, user, call.body.call_id, s);
  await app.request("POST", `/v1/accounts/${user.id}/webhook-endpoints`, { key: user.key, body: { url: "https://hooks.example.test/prepaid" } }).catch(() => undefined);
  const agency = await app.createAccount({ name: "Walk Agency", type: "agency" });
  await accountWith(app, { balance: "3.00", type: "subaccount", parentId: agency.id });
  return { user, agency };
}

describe("a page a billing person trusts", { timeout: 180_000 }, () => {
  // Item 8: the History's screen-reader-only header escaped its scroll box and the tab list its card at 375 px.
  it("no horizontal scroll on any page from 320 to 1440 px, standalone; axe finds nothing on any of them", async () => {
    const { user, agency } = await fixture();
    const problems: string[] = [];
    for (const width of [320, 375, 768, 1440]) {
      const owner = await openSignedIn(browser, app.server.url, user.key, width);
      for (const path of ["/payments", "/notifications", "/settings"]) {
        await owner.page.goto(`${app.server.url}${path}`);
        await owner.page.locator("main.content h1").first().waitFor();
        if (path === "/payments") {
          await expect.poll(() => owner.page.getByRole("table", { name: "Calls" }).locator("tbody tr").count()).toBe(1);
          await owner.page.getByRole("tab", { name: "All transactions" }).click();
          await owner.page.getByRole("tabpanel", { name: "All transactions" }).locator("tbody tr").first().waitFor();
        }
        expect(await overflow(owner.page), `${path} at ${width} px`).toBeLessThanOrEqual(0);
        if (width === 375 || width === 1440) problems.push(...(await axeAll(owner.page)).map((v) => `${path} ${width}: ${v}`));
      }
      await owner.context.close();
      const agencyPage = await openSignedIn(browser, app.server.url, agency.key, width);
      await agencyPage.page.goto(`${app.server.url}/subaccounts`);
      await agencyPage.page.getByRole("heading", { name: "Subaccounts" }).waitFor();
      expect(await overflow(agencyPage.page), `subaccounts at ${width} px`).toBeLessThanOrEqual(0);
      await agencyPage.context.close();
    }
    expect(problems).toEqual([]);
  });

  it("framed at 320, 375 and 1280 px: no horizontal scroll inside the frame, and no second side panel beside the host's", async () => {
    const { user } = await fixture();
    hostOptions.accountId = user.id;
    for (const width of [320, 375, 1280]) {
      const watched = await openPage(browser, host.url, width);
      await watched.page.goto("/");
      await watched.page.getByRole("button", { name: "Payments" }).click();
      const frame = (await (await watched.page.waitForSelector("iframe[title=Payments]")).contentFrame())!;
      await frame.locator("main.content").waitFor();
      await expect.poll(() => frame.getByTestId("balance").textContent()).toBe("$11.84");
      expect(await overflow(frame), `framed at ${width} px`).toBeLessThanOrEqual(0);
      // The page's own links sit in one compact row under its top bar, not in a column beside it.
      const nav = frame.getByRole("navigation", { name: "Main" });
      const box = await nav.boundingBox();
      expect(box && box.height < 120, `the framed navigation is a row (height ${box?.height})`).toBe(true);
      expect(await frame.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
      await watched.context.close();
    }
  });

  it("a viewer sees no control it cannot use (Notifications too), and no raw API refusal", async () => {
    const { user } = await fixture();
    // A notice in the feed (auto_recharge.updated), so the feed has a row a control could mark.
    await app.request("PUT", `/v1/accounts/${user.id}/auto-recharge`, { key: user.key, body: { threshold: "8.00" } });
    const link = await app.request("POST", `/v1/accounts/${user.id}/sessions`, { key: app.adminKey, body: { role: "viewer" } });
    const viewer = await openSessionLink(browser, app.server.url, link.body.url, 375);
    await viewer.page.goto(`${app.server.url}/notifications`);
    await viewer.page.getByRole("heading", { name: "Notifications" }).waitFor();
    await expect.poll(() => viewer.page.getByRole("list", { name: "Notifications" }).locator("li").count()).toBeGreaterThan(0);
    expect(await viewer.page.getByRole("button", { name: /Mark .*read/ }).count()).toBe(0);
    for (const path of ["/payments", "/settings"]) {
      await viewer.page.goto(`${app.server.url}${path}`);
      await viewer.page.locator("main.content h1").first().waitFor();
      const buttons = await viewer.page.locator("main.content button").allTextContents();
      // Only what reads: tabs, paging, export, details, copies.
      expect(buttons.filter((b) => /Save|Add|Remove|Revoke|Rotate|Resend|Mark|Make default|Turn/.test(b)), path).toEqual([]);
      expect(await viewer.page.getByText(/cannot (POST|PUT|PATCH|DELETE) \/v1/).count(), path).toBe(0);
    }
    expect(await axeAll(viewer.page)).toEqual([]);
    await viewer.context.close();
  });

  it("Activity reads in words: cards by label, keys by name, local times; account opened and the card moved on recovery are there", async () => {
    const user = await accountWith(app, { balance: "5.00", webWidget: true });
    const declining = await addCard(app, user, CARDS.declined, true);
    await app.request("PUT", `/v1/accounts/${user.id}/auto-recharge`, { key: user.key, body: { enabled: true, threshold: "10", amount: "25", payment_method_id: declining.id } });
    await expect.poll(async () => (await app.request("GET", `/v1/accounts/${user.id}/auto-recharge`, { key: user.key })).body.state, { timeout: 10_000 }).toBe("failing");
    await addCard(app, user, CARDS.visa);
    const named = await app.request("POST", `/v1/accounts/${user.id}/api-keys`, { key: user.key, body: { name: "CI deploy", scope: "read" } });
    await app.request("DELETE", `/v1/accounts/${user.id}/api-keys/${named.body.id}`, { key: user.key });
    const watched = await openSignedIn(browser, app.server.url, user.key, 375);
    await watched.page.goto(`${app.server.url}/settings`);
    const activity = watched.page.getByRole("list", { name: "Activity" });
    await expect.poll(() => activity.textContent()).toContain("Auto-Recharge now charges Visa •••• 4242");
    const text = (await activity.textContent())!;
    expect(text).toContain("Card: Visa •••• 0002 → Visa •••• 4242");
    expect(text).toContain("API key revoked: “CI deploy”");
    expect(text).toContain("Account opened");
    expect(text, text).not.toMatch(/pm_[A-Za-z0-9]{6}|\d{4}-\d{2}-\d{2}T\d{2}:/);
    expect(text).not.toContain("key_"); // who acted: the key's name or prefix, never its id
    await watched.context.close();
  });

  it("revoking the key you are signed in with says it signs you out", async () => {
    const user = await accountWith(app, { balance: "5.00" });
    const watched = await openSignedIn(browser, app.server.url, user.key, 1280);
    await watched.page.goto(`${app.server.url}/settings`);
    const me = (await app.request("GET", "/v1/me", { key: user.key })).body;
    const keys = (await app.request("GET", `/v1/accounts/${user.id}/api-keys`, { key: user.key })).body.data as Array<{ id: string; name: string | null; prefix: string }>;
    const mine = keys.find((k) => k.id === me.credential.id)!;
    await watched.page.getByRole("button", { name: `Revoke ${mine.name ?? mine.prefix}` }).click();
    await expect.poll(() => watched.page.getByText("You are signed in with this key: this page signs you out").count()).toBe(1);
    await watched.context.close();
  });

  it("the operator finds accounts as they type, by part of an id, and reads every account's Activity filtered", async () => {
    const made = await app.createAccount({ name: "Typeahead Voice", type: "user" });
    const watched = await openPage(browser, app.server.url, 1280);
    await signIn(watched.page, app.adminKey);
    const rows = watched.page.getByRole("table", { name: "Accounts" }).locator("tbody tr");
    await watched.page.getByRole("searchbox", { name: "Search" }).fill(made.id.slice(0, 12));
    await expect.poll(async () => (await rows.locator("td:first-child").allTextContents()).join(", ")).toContain("Typeahead Voice");
    await watched.page.getByRole("searchbox", { name: "Search" }).fill("Typeahead");
    await expect.poll(async () => (await rows.locator("td:first-child").allTextContents()).join(", ")).toBe("Typeahead Voice");

    await watched.page.getByRole("navigation").getByRole("link", { name: "Activity" }).click();
    await watched.page.getByLabel("Account id").fill(made.id);
    await watched.page.getByLabel("Action").selectOption("account.created");
    const activity = watched.page.getByRole("list", { name: "Activity" });
    await expect.poll(() => activity.locator(":scope > li").count()).toBe(1);
    expect(await activity.textContent()).toContain("Account opened");
    expect(await activity.textContent()).toContain("Typeahead Voice");
    expect(await activity.textContent()).toContain("by The operator");
    expect(await axeAll(watched.page)).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a deep negative balance: the confirmation says why it charges twice the amount; a negative balance with Auto-Recharge off has its banner", async () => {
    const user = await accountWith(app, { webWidget: true });
    await addCard(app, user, CARDS.visa, true);
    await debit(app, user.id, "16.00");
    const watched = await openSignedIn(browser, app.server.url, user.key, 375);
    await expect.poll(() => watched.page.getByTestId("negative-banner").textContent()).toContain("Your balance is −$16.00.");
    await watched.page.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await watched.page.getByLabel("Minimum Threshold").fill("10");
    await watched.page.getByLabel("Auto-Recharge Amount").fill("25");
    await watched.page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => watched.page.getByTestId("charge-confirmation").textContent()).toBe(
      "This will charge $50.00 to Visa •••• 4242 now: 2 × your Auto-Recharge Amount of $25.00, the smallest whole multiple that lifts your balance of −$16.00 to at least $10.00.",
    );
    await watched.context.close();
  });

  it("a saved card can be made the default; the usage chart says 1 call", async () => {
    const user = await accountWith(app, { balance: "5.00", webWidget: true });
    await addCard(app, user, CARDS.visa, true);
    await addCard(app, user, CARDS.insufficientFunds);
    const call = await startCall(app, user);
    await reportUsage(app, user, call.body.call_id, 30);
    const watched = await openSignedIn(browser, app.server.url, user.key, 1280);
    await watched.page.getByRole("button", { name: "Make Visa •••• 9995 the default card" }).click();
    await expect.poll(() => watched.page.getByTestId("card-saved").textContent()).toBe("Visa •••• 9995 is now your default card. Nothing was charged.");
    const cards = (await app.request("GET", `/v1/accounts/${user.id}/payment-methods`, { key: user.key })).body.data as Array<{ last4: string; is_default: boolean }>;
    expect(cards.find((c) => c.is_default)?.last4).toBe("9995");
    await expect.poll(() => watched.page.getByText(/minutes in 1 call$/).count()).toBe(1);
    await watched.context.close();
  });

  it("a call's reports are one row in All transactions, never split across pages", async () => {
    const user = await accountWith(app, { balance: "20.00", webWidget: true });
    // 8 other entries, then one call of 6 reports: with 10 rows a page, the call straddles the boundary.
    const call = await startCall(app, user);
    for (const s of [10, 20, 30, 40, 50, 60]) await reportUsage(app, user, call.body.call_id, s);
    for (let i = 0; i < 8; i++) await app.request("POST", `/v1/accounts/${user.id}/adjustments`, { key: app.adminKey, body: { amount: "0.01", reason: `credit ${i}` } });
    const watched = await openSignedIn(browser, app.server.url, user.key, 1280);
    await watched.page.getByRole("tab", { name: "All transactions" }).click();
    const table = watched.page.getByRole("tabpanel", { name: "All transactions" }).locator("table");
    await expect.poll(async () => (await table.locator("tbody tr").allTextContents()).some((r) => r.includes("6 reports"))).toBe(true);
    await watched.context.close();
  });
});
