import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, openSessionLink, openSignedIn, type WatchedPage } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, useScenarioApp } from "../support/scenario.js";

// Deliveries fail for good after one retry 50 ms later, so a failed one shows within a second.
const app = useScenarioApp({ PREPAID_WEBHOOK_ALLOW_PRIVATE: "true", PREPAID_DELIVERY_RETRY_DELAYS: "50ms", PREPAID_WORKER_POLL_MS: "50" });
const browser = useBrowser();
let healthy = false;
const received: string[] = [];
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    received.push(req.url ?? "");
    res.writeHead(healthy ? 200 : 500).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

const receiverUrl = () => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

async function openSettings(watched: WatchedPage) {
  await watched.page.getByRole("link", { name: "Settings" }).click();
  await watched.page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
}

async function sessionLink(accountId: string, role: "owner" | "viewer"): Promise<string> {
  const res = await app.request("POST", `/v1/accounts/${accountId}/sessions`, { key: app.adminKey, body: { role } });
  expect(res.status).toBe(201);
  return res.body.url as string;
}

describe("Settings", { timeout: 90_000 }, () => {
  it("with a full key: email, an API key made (shown once), rotated and revoked, branding, and all of it in Activity", async () => {
    const account = await accountWith(app);
    const watched = await openSignedIn(browser, app.server.url, account.key);
    const { page } = watched;
    await openSettings(watched);

    await page.getByLabel("Email", { exact: true }).fill("billing@acme.example");
    await page.getByRole("button", { name: "Save email" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved: notices go to billing@acme.example." }).count()).toBe(1);
    expect((await app.request("GET", `/v1/accounts/${account.id}`, { key: account.key })).body.email).toBe("billing@acme.example");

    // A read key, shown once: it works, and reads only.
    await page.getByLabel("Name", { exact: true }).fill("reporting");
    await page.getByLabel("Scope").selectOption("read");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByRole("group", { name: "New read key reporting" });
    const readKey = await shown.getByRole("textbox").inputValue();
    expect(readKey).toMatch(/^ppk_/);
    const asRead = await app.request("GET", "/v1/me", { key: readKey });
    expect(asRead.body.credential).toEqual({ type: "api_key", scope: "read", id: expect.stringMatching(/^key_/) });
    expect((await app.request("PATCH", `/v1/accounts/${account.id}`, { key: readKey, body: { web_widget: true } })).status).toBe(403);
    await shown.getByRole("button", { name: "Done" }).click();
    expect(await page.getByRole("group", { name: "New read key reporting" }).count()).toBe(0);
    const keys = page.getByRole("table", { name: "API keys" });
    await expect.poll(() => keys.textContent()).toContain("reporting");

    // Rotate: a new key now, the old one until the grace ends.
    await page.getByRole("button", { name: "Rotate reporting" }).click();
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    const rotated = await page.getByRole("group", { name: "New key replacing reporting" }).getByRole("textbox").inputValue();
    expect(rotated).not.toBe(readKey);
    expect((await app.request("GET", "/v1/me", { key: rotated })).status).toBe(200);
    expect((await app.request("GET", "/v1/me", { key: readKey })).status).toBe(200);
    await page.getByRole("button", { name: "Done" }).click();

    // Revoke the rotated key: refused from then on.
    const rotatedRow = keys.locator("tbody tr").filter({ hasText: "Active" }).filter({ hasText: "reporting" });
    await expect.poll(() => rotatedRow.count()).toBe(1);
    await rotatedRow.getByRole("button", { name: "Revoke reporting" }).click();
    await page.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect.poll(async () => (await app.request("GET", "/v1/me", { key: rotated })).status).toBe(401);

    await page.getByLabel("Display name").fill("Acme Voice Billing");
    await page.getByLabel("Accent colour", { exact: true }).fill("#7A1FA2");
    await page.getByRole("button", { name: "Save branding" }).click();
    await expect.poll(() => page.getByTestId("brand").textContent()).toBe("Acme Voice Billing");

    const activity = page.getByRole("list", { name: "Activity" });
    await page.reload();
    await expect.poll(() => activity.textContent()).toContain("Branding changed");
    const text = (await activity.textContent()) ?? "";
    for (const action of ["Account settings changed", "API key created", "API key rotated", "API key revoked"]) expect(text).toContain(action);
    expect(text).toContain("Email: billing@acme.example");
    // No key is ever in the page after it was dismissed, nor in the log.
    expect(await page.content()).not.toContain(readKey);
    expect(await page.content()).not.toContain(rotated);

    expect(await axeViolations(page)).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("an owner session adds a webhook (secret shown once), sees a delivery fail and resends it; keys are left to the platform", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    const watched = await openSessionLink(browser, app.server.url, await sessionLink(account.id, "owner"));
    const { page } = watched;
    await openSettings(watched);
    expect(await page.getByRole("table", { name: "API keys" }).count()).toBe(0);
    await expect.poll(() => page.getByText("API keys are made and revoked by your platform's backend").count()).toBe(1);

    await page.getByLabel("Endpoint URL").fill(receiverUrl());
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secret = page.getByRole("group", { name: `Signing secret for ${receiverUrl()}` });
    expect(await secret.getByRole("textbox").inputValue()).toMatch(/^whsec_/);
    await secret.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.getByRole("list", { name: "Webhook endpoints" }).textContent()).toContain(receiverUrl());

    // Below the threshold with no Auto-Recharge: a balance.low event, which the receiver refuses twice.
    healthy = false;
    const before = received.length;
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "-15.00", reason: "below" } });
    const deliveries = page.getByRole("table", { name: "Deliveries" }).locator("tbody tr");
    await expect.poll(() => deliveries.first().textContent(), { timeout: 15_000 }).toContain("Failed");
    expect(await deliveries.first().textContent()).toContain("2 tries");
    healthy = true;
    await page.getByRole("button", { name: `Resend Balance low to ${receiverUrl()}` }).click();
    await expect.poll(() => deliveries.first().textContent(), { timeout: 15_000 }).toContain("Delivered");
    expect(received.length - before).toBe(3);

    expect(await axeViolations(page)).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a viewer session reads email, branding and Activity, with no control to change anything", async () => {
    const account = await accountWith(app);
    await app.request("PATCH", `/v1/accounts/${account.id}`, { key: account.key, body: { email: "viewer-sees@acme.example" } });
    const watched = await openSessionLink(browser, app.server.url, await sessionLink(account.id, "viewer"));
    const { page } = watched;
    await openSettings(watched);
    await expect.poll(() => page.getByTestId("notice-email").textContent()).toBe("viewer-sees@acme.example");
    await expect.poll(() => page.getByRole("list", { name: "Activity" }).textContent()).toContain("Account settings changed");
    for (const name of ["Save email", "Add endpoint", "Create key", "Save branding"]) {
      expect(await page.getByRole("button", { name }).count(), name).toBe(0);
    }
    expect(await page.getByRole("heading", { name: "Webhooks" }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "API keys" }).count()).toBe(0);
    expect(await page.getByLabel("Display name").isDisabled()).toBe(true);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });
});
