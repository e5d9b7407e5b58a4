import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { sql } from "drizzle-orm";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostPlatform, type HostOptions } from "../../examples/host-platform/server.js";
import { openPage, type WatchedPage } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, getAccount, settled } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// The Payments page inside a platform (docs/concepts.md, issue 14): the example host platform on one
// loopback port frames our page, served on another, through a session link its own backend
// mints with the operator key. Everything is driven in Chromium and checked against the API.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const browser = useBrowser();
let app: TestApp;
const hostOptions: HostOptions = { prepaidUrl: "", operatorKey: "", accountId: "" };
let host: Awaited<ReturnType<typeof startHostPlatform>>;

beforeAll(async () => {
  // The host listens first, so our server can be started with its origin as the one allowed.
  host = await startHostPlatform(hostOptions);
  app = await startTestApp({ PREPAID_PAYMENTS: "sandbox", PREPAID_SANDBOX_DELAY_MS: "150", PREPAID_EMBED_ORIGINS: host.url });
  hostOptions.prepaidUrl = app.server.url;
  hostOptions.operatorKey = app.adminKey;
});
afterAll(async () => {
  await app?.close();
  await host?.close();
});

async function openHost(accountId: string, role: "owner" | "viewer" = "owner", width = 1280): Promise<WatchedPage & { frame: () => Promise<Frame> }> {
  hostOptions.accountId = accountId;
  hostOptions.role = role;
  const watched = await openPage(browser, host.url, width);
  // Every refused request of the page and its frame, for the failure message of a wait that times out.
  const refused: string[] = [];
  watched.page.on("response", (r) => r.status() >= 400 && refused.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  await watched.page.goto("/");
  await watched.page.getByRole("button", { name: "Payments" }).click();
  const frame = async () => {
    const handle = await watched.page.waitForSelector("iframe[title=Payments]");
    const content = await handle.contentFrame();
    if (!content) throw new Error("the Payments frame has no content");
    // The page is signed in once its content shows; if it never does, say what it shows instead.
    await content
      .locator("main.content")
      .waitFor({ timeout: 30_000 })
      .catch(async (e: Error) => {
        const shown = await content.locator("body").innerText().catch(() => "(unreadable)");
        throw new Error(`the framed page never signed in: ${e.message}\nit shows: ${shown.slice(0, 500)}\nrefused: ${refused.join("; ")}\nproblems: ${watched.problems.join("; ")}`);
      });
    return content;
  };
  return { ...watched, frame };
}

/** The session token the framed page keeps for its tab (evaluated in the page, as a string: no DOM types here). */
const TOKEN_IN_TAB = `JSON.parse(sessionStorage.getItem("prepaid.credential")).token`;

const hostEvents = (page: Page) => page.locator("#events li").allTextContents();

describe("the Payments page inside a platform", { timeout: 120_000 }, () => {
  it("signs in through the link with no key typed; adds a card, saves a threshold above the balance, confirms; the host hears it and resizes the frame", async () => {
    const account = await accountWith(app, { balance: "12.00", webWidget: true });
    const watched = await openHost(account.id);
    const { page } = watched;
    const frame = await watched.frame();
    // The code was dropped from the address at once.
    expect(frame.url()).not.toContain("code=");
    await expect.poll(() => frame.getByTestId("balance").textContent()).toBe("$12.00");

    await frame.getByRole("button", { name: "Add a card" }).click();
    await frame.getByRole("textbox", { name: "Card number" }).fill("4242 4242 4242 4242");
    await frame.getByLabel("Expiry (MM/YY)").fill("12/34");
    await frame.getByLabel("CVC").fill("123");
    await frame.getByRole("button", { name: "Save card" }).click();
    await expect.poll(() => frame.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 4242");

    await frame.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await frame.getByLabel("Minimum Threshold").fill("20");
    await frame.getByLabel("Auto-Recharge Amount").fill("50");
    await frame.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => frame.getByTestId("charge-confirmation").textContent()).toBe("This will charge $50.00 to Visa •••• 4242 now.");
    await frame.getByRole("button", { name: "Agree and charge" }).click();
    await expect.poll(() => frame.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$62.00");
    expect((await settled(app, account)).map((r) => [r.trigger, r.amount, r.status])).toEqual([["threshold_sync", "50.00", "succeeded"]]);
    expect((await getAccount(app, account)).balance).toBe("62.00");

    // The host page heard each event, from our origin only.
    await expect.poll(() => hostEvents(page), { timeout: 10_000 }).toHaveLength(3);
    const events = await hostEvents(page);
    expect(events[0]).toMatch(/^card\.added .*"last4":"4242"/);
    // What the server saved, as it writes it ("20.00", not the "20" typed; issue 28, item 10).
    expect(events[1]).toMatch(/^settings\.saved .*"threshold":"20\.00".*"amount":"50\.00"/);
    expect(events[2]).toMatch(/^recharge\.succeeded .*"amount":"50\.00".*"trigger":"threshold_sync"/);
    // ...and sized the frame to the page's content, not its initial 600 px.
    const frameHeight = (await page.locator("iframe[title=Payments]").boundingBox())!.height;
    const contentHeight = await frame.evaluate<number>(`Math.ceil(document.getElementById("root").getBoundingClientRect().height)`);
    expect(frameHeight).not.toBe(600);
    expect(Math.abs(frameHeight - contentHeight)).toBeLessThanOrEqual(1);

    // The audit log names who did what: the operator opened the session, the session did the rest.
    const log = await app.request("GET", `/v1/accounts/${account.id}/audit-log`, { key: app.adminKey });
    const actions = (log.body.data as any[]).map((r) => [r.action, r.actor.type]);
    expect(actions.slice(0, 3)).toEqual([
      ["auto_recharge.updated", "session"],
      ["payment_method.added", "session"],
      ["session.opened", "operator"],
    ]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a viewer session shows no edit controls, and the API refuses its writes (403)", async () => {
    const account = await accountWith(app, { balance: "30.00" });
    const watched = await openHost(account.id, "viewer");
    const frame = await watched.frame();
    await expect.poll(() => frame.getByTestId("balance").textContent()).toBe("$30.00");
    await expect.poll(() => frame.getByText("View only.").count()).toBe(1);
    for (const name of ["Add a card", "Save", "Add credit", "Turn on"]) {
      expect(await frame.getByRole("button", { name, exact: true }).count(), name).toBe(0);
    }
    expect(await frame.getByRole("switch").count()).toBe(0);
    const token = await frame.evaluate<string>(TOKEN_IN_TAB);
    const refused = await app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, { key: token, body: { enabled: false } });
    expect(refused.status).toBe(403);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a used, unknown or expired code shows the expired-session screen (the API answered 401); a session ending mid-use offers the way back", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    const used = await app.request("POST", `/v1/accounts/${account.id}/sessions`, { key: app.adminKey, body: {} });
    const usedCode = new URL(used.body.url).hash.replace("#code=", "");
    expect((await app.request("POST", "/v1/sessions/exchange", { body: { code: usedCode } })).status).toBe(200);
    const expired = await app.request("POST", `/v1/accounts/${account.id}/sessions`, { key: app.adminKey, body: {} });
    await app.db.db.execute(sql`update sessions set code_expires_at = now() - interval '1 second' where id = ${expired.body.id}`);

    for (const url of [used.body.url, expired.body.url, `${app.server.url}/s#code=NoSuchCode123`]) {
      const watched = await openPage(browser, app.server.url);
      const answers: number[] = [];
      watched.page.on("response", (r) => r.url().endsWith("/v1/sessions/exchange") && answers.push(r.status()));
      await watched.page.goto(url);
      await expect.poll(() => watched.page.getByTestId("session-ended").textContent()).toContain("This session has expired");
      expect(answers).toEqual([401]);
      expect(watched.page.url()).toBe(`${app.server.url}/`);
      await watched.context.close();
    }

    // A session that ends while the page is open: the next poll is refused and the page says so,
    // with the platform's return_url.
    const watched = await openHost(account.id);
    const frame = await watched.frame();
    await expect.poll(() => frame.getByTestId("balance").textContent()).toBe("$5.00");
    await app.db.db.execute(sql`update sessions set expires_at = now() where account_id = ${account.id} and code_used_at is not null and ended_at is null`);
    await expect.poll(() => frame.getByTestId("session-ended").textContent(), { timeout: 15_000 }).toContain("This session has expired");
    expect(await frame.getByRole("link", { name: "Return to your platform" }).getAttribute("href")).toBe(`${host.url}/`);
    // The host is told once, so it can mint a new link (issue 27, item 17).
    await expect.poll(() => hostEvents(watched.page)).toEqual([`session.expired {"return_url":"${host.url}/"}`]);
    await watched.context.close();
  });

  it("a charge confirmed half a second before the session expires reaches its result, on the page and to the host; then the host hears the session expire", async () => {
    const account = await accountWith(app, { balance: "5.00", webWidget: true });
    await addCard(app, account, CARDS.visa, true);
    const watched = await openHost(account.id, "owner", 375);
    const frame = await watched.frame();
    await expect.poll(() => frame.getByTestId("balance").textContent()).toBe("$5.00");
    await frame.getByRole("button", { name: "Review" }).click();
    await expect.poll(() => frame.getByTestId("add-funds-confirmation").textContent()).toBe("This will charge $25.00 to Visa •••• 4242 now.");
    // The top-up's request leaves the browser when the session has half a second left: the
    // test moves the session's end just before letting the request through.
    await watched.context.route(`**/v1/accounts/${account.id}/recharges`, async (route) => {
      if (route.request().method() === "POST") {
        await app.db.db.execute(sql`update sessions set expires_at = now() + interval '500 milliseconds' where account_id = ${account.id} and code_used_at is not null and ended_at is null`);
      }
      await route.continue();
    });
    await frame.getByRole("button", { name: "Confirm and charge" }).click();
    await expect.poll(() => frame.getByTestId("add-funds-outcome").textContent(), { timeout: 15_000 }).toBe("Charged $25.00 to Visa •••• 4242 — balance $30.00.");
    await expect.poll(() => hostEvents(watched.page)).toContainEqual(expect.stringMatching(/^recharge\.succeeded .*"amount":"25\.00"/));
    expect(await frame.getByTestId("session-ended").count()).toBe(0);
    // Its grace over, the session ends, and the host hears it.
    await app.db.db.execute(sql`update sessions set expires_at = now() where account_id = ${account.id} and code_used_at is not null and ended_at is null`);
    await expect.poll(() => frame.getByTestId("session-ended").textContent(), { timeout: 15_000 }).toContain("This session has expired");
    await expect.poll(() => hostEvents(watched.page)).toContainEqual(`session.expired {"return_url":"${host.url}/"}`);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("leaving ends the session: its token is 401 afterwards", async () => {
    const account = await accountWith(app, { balance: "5.00" });
    const watched = await openHost(account.id);
    const frame = await watched.frame();
    const token = await frame.evaluate<string>(TOKEN_IN_TAB);
    await frame.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => frame.getByTestId("session-ended").textContent()).toContain("You have left Payments");
    expect((await app.request("GET", "/v1/me", { key: token })).status).toBe(401);
    await expect.poll(() => hostEvents(watched.page)).toEqual([`session.ended {"return_url":"${host.url}/"}`]);
    await watched.context.close();
  });

  it("an agency's branding shows on its subaccount's framed page, with readable contrast; the subaccount's own wins", async () => {
    const agency = await app.createAccount({ name: "Gold Agency", type: "agency" });
    // Gold on white is 1.4:1: the page must not use it as is for text.
    await app.request("PUT", `/v1/accounts/${agency.id}/branding`, { key: agency.key, body: { display_name: "Gold Voice", accent_color: "#FFD700" } });
    const sub = await accountWith(app, { type: "subaccount", parentId: agency.id, balance: "9.00" });

    const watched = await openHost(sub.id);
    const frame = await watched.frame();
    await expect.poll(() => frame.getByTestId("brand").textContent()).toBe("Gold Voice");
    const primary = frame.getByRole("button", { name: "Add a card" });
    await primary.waitFor();
    await frame.evaluate(axeSource);
    const contrast = await frame.evaluate<{ violations: string[]; passes: number }>(
      `axe.run(document, { runOnly: ["color-contrast"] }).then((r) => ({ violations: r.violations.flatMap((v) => v.nodes.map((n) => n.failureSummary)), passes: r.passes.length }))`,
    );
    expect(contrast.violations).toEqual([]);
    expect(contrast.passes).toBeGreaterThan(0);
    const accent = await frame.evaluate<string>(`getComputedStyle(document.documentElement).getPropertyValue("--accent-fill").trim()`);
    expect(accent).toBe("#FFD700");
    await watched.context.close();

    await app.request("PUT", `/v1/accounts/${sub.id}/branding`, { key: sub.key, body: { display_name: "Sub Brand", accent_color: "#0B5FFF" } });
    const again = await openHost(sub.id);
    const subFrame = await again.frame();
    await expect.poll(() => subFrame.getByTestId("brand").textContent()).toBe("Sub Brand");
    await again.context.close();
  });
});

describe("framing is refused to origins not allowed", { timeout: 60_000 }, () => {
  /** Whether the host's Payments frame ended up showing our dashboard. */
  async function framedDashboardLoads(prepaid: TestApp, account: { id: string }): Promise<boolean> {
    const otherOptions: HostOptions = { prepaidUrl: prepaid.server.url, operatorKey: prepaid.adminKey, accountId: account.id };
    const other = await startHostPlatform(otherOptions);
    const watched = await openPage(browser, other.url);
    const refusals: string[] = [];
    watched.page.on("console", (m) => m.text().includes("frame-ancestors") && refusals.push(m.text()));
    try {
      await watched.page.goto("/");
      await watched.page.getByRole("button", { name: "Payments" }).click();
      const handle = await watched.page.waitForSelector("iframe[title=Payments]");
      await expect.poll(() => refusals.length, { timeout: 10_000 }).toBeGreaterThan(0);
      const content = await handle.contentFrame();
      const hasApp = content ? await content.evaluate<boolean>(`document.getElementById("root") !== null`).catch(() => false) : false;
      return hasApp;
    } finally {
      await watched.context.close();
      await other.close();
    }
  }

  it("a host whose origin is not in PREPAID_EMBED_ORIGINS cannot frame the page", async () => {
    const account = await app.createAccount({ name: "Not framed", type: "user" });
    expect(await framedDashboardLoads(app, account)).toBe(false);
  });

  it("with PREPAID_EMBED_ORIGINS unset, no origin can frame it", async () => {
    const closed = await startTestApp({ PREPAID_PAYMENTS: "sandbox" }, { worker: false });
    try {
      const account = await closed.createAccount({ name: "Closed", type: "user" });
      expect(await framedDashboardLoads(closed, account)).toBe(false);
      const page = await fetch(`${closed.server.url}/`);
      expect(page.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    } finally {
      await closed.close();
    }
  });
});
