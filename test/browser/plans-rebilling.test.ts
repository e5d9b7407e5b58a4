import { describe, expect, it } from "vitest";
import { axeViolations, openSignedIn } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, reportUsage, startCall, useScenarioApp } from "../support/scenario.js";

// docs/plans.md in a real Chromium against the real server: the operator's plan screens, and
// an agency's prices and margin view. Figures are worked out by hand in the comments.
const app = useScenarioApp();
const browser = useBrowser();

describe("price plans and rebilling in the browser", { timeout: 90_000 }, () => {
  it("the operator creates a plan (reviewed first), puts an account on it, adds and stops a monthly fee", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    const watched = await openSignedIn(browser, app.server.url, app.adminKey);
    const { page } = watched;
    await page.getByRole("heading", { name: "Accounts", level: 1 }).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "Price plans" }).click();
    await page.getByRole("heading", { name: "Price plans", level: 1 }).waitFor();
    const table = page.getByRole("table", { name: "Price plans" });
    await expect.poll(() => table.locator("tbody tr").first().textContent()).toContain("$0.16/min");
    expect(await table.locator("tbody tr").first().textContent()).toContain("(default)");

    // A rate the server would refuse is refused here, in words, before anything is sent.
    await page.getByLabel("Plan name").fill("Enterprise");
    await page.getByLabel("USD a minute with the Web Widget").fill("0.1234567");
    await page.getByLabel("USD a minute without it").fill("0.14");
    await page.getByRole("button", { name: "Review plan" }).click();
    await expect.poll(() => page.getByText("The rate with the Web Widget must be a plain decimal rate with at most 6 decimals").count()).toBe(1);
    await page.getByLabel("USD a minute with the Web Widget").fill("0.12");
    await page.getByLabel("Monthly fee (USD; empty: none)").fill("4.50");
    await page.getByRole("button", { name: "Review plan" }).click();
    const review = page.getByRole("group", { name: "Confirm the plan" });
    await expect.poll(() => review.textContent()).toContain("Create “Enterprise”: $0.12 a minute with the Web Widget, $0.14 without, and $4.50 a month.");
    expect((await app.request("GET", "/v1/price-plans", { key: app.adminKey })).body.data).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);
    await review.getByRole("button", { name: "Create plan" }).click();
    await expect.poll(() => table.locator("tbody tr").count()).toBe(2);
    const plans = (await app.request("GET", "/v1/price-plans", { key: app.adminKey })).body.data;
    const enterprise = plans[1];
    expect(enterprise).toMatchObject({ name: "Enterprise", rate_per_minute: { web_widget: "0.12", default: "0.14" }, monthly_fee: "4.50" });

    // The account's page: on the default plan at $0.18; put on Enterprise, its next calls pay $0.14 and the $4.50 fee is charged.
    await page.goto(`${app.server.url}/operator/accounts/${account.id}`);
    await expect.poll(() => page.getByTestId("account-plan").textContent()).toContain("On Default: a call started now pays $0.18 a minute");
    await page.getByLabel("Plan", { exact: true }).selectOption(enterprise.id);
    await page.getByRole("button", { name: "Save plan" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved: Enterprise. Calls started from now on pay $0.14 a minute" }).count()).toBe(1);
    await expect.poll(() => page.getByTestId("account-plan").textContent()).toContain("On Enterprise: a call started now pays $0.14 a minute");
    // $10.00 − $4.50 = $5.50.
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 10_000 }).toBe("$5.50");
    expect((await app.request("GET", `/v1/accounts/${account.id}`, { key: account.key })).body).toMatchObject({ price_plan_id: enterprise.id, rate_per_minute: "0.14" });

    // A fee of the operator's own: reviewed, charged its first month ($5.50 − $2.00 = $3.50), then stopped.
    await page.getByLabel("Fee name").fill("Phone number");
    await page.getByLabel("USD a month").fill("2");
    await page.getByRole("button", { name: "Review fee" }).click();
    const feeReview = page.getByRole("group", { name: "Confirm the fee" });
    await expect.poll(() => feeReview.textContent()).toContain("$2.00 a month for “Phone number”, the first month now");
    await feeReview.getByRole("button", { name: "Add fee" }).click();
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 10_000 }).toBe("$3.50");
    const fees = page.getByRole("list", { name: "Monthly fees" }).locator("li");
    await expect.poll(() => fees.count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Stop Phone number" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Stopped Phone number" }).count()).toBe(1);
    const listed = (await app.request("GET", `/v1/accounts/${account.id}/fees`, { key: app.adminKey })).body.data;
    expect(listed.find((f: { name: string }) => f.name === "Phone number")).toMatchObject({ next_charge_at: null });

    // A subaccount of a reselling agency: its page says it pays its agency's price, not its plan's.
    const agency = await app.createAccount({ name: "Reselling Agency", type: "agency" });
    await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: { web_widget: "0.20", default: "0.25" } } });
    const sub = await accountWith(app, { type: "subaccount", parentId: agency.id });
    await page.goto(`${app.server.url}/operator/accounts/${sub.id}`);
    await expect.poll(() => page.getByTestId("account-plan").textContent()).toBe("On Default: a call started now pays $0.25 a minute — its agency's price: while the agency resells, the plan applies to nothing.");
    await page.goto(`${app.server.url}/operator/accounts/${account.id}`);
    await expect.poll(() => page.getByTestId("account-plan").textContent()).toBe("On Enterprise: a call started now pays $0.14 a minute.");
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  for (const width of [375, 1280]) {
    it(`an agency sets its prices and reads its margin per subaccount and month (${width} px); the subaccount sees only its rate`, async () => {
      const agency = await app.createAccount({ name: `Margin Agency ${width}`, type: "agency" });
      const sub = await accountWith(app, { balance: "10.00", type: "subaccount", parentId: agency.id });
      await app.request("PATCH", `/v1/accounts/${sub.id}`, { key: sub.key, body: { web_widget: false } });

      const watched = await openSignedIn(browser, app.server.url, agency.key, width);
      const { page } = watched;
      if (width < 600) await page.getByRole("button", { name: "Menu" }).click();
      await page.getByRole("navigation").getByRole("link", { name: "Rebilling" }).click();
      await page.getByRole("heading", { name: "Rebilling", level: 1 }).waitFor();
      await expect.poll(() => page.getByTestId("resale-now").textContent()).toContain("You do not resell");
      expect(await page.getByTestId("resale-now").textContent()).toContain("You pay $0.16 and $0.18");

      // Below its own $0.18 is refused by the server, said on the page; nothing changes.
      await page.getByLabel("USD a minute with the Web Widget").fill("0.20");
      await page.getByLabel("USD a minute without it").fill("0.17");
      await page.getByRole("button", { name: "Save prices" }).click();
      await expect.poll(() => page.getByText("must be between 0.18", { exact: false }).count()).toBe(1);
      expect((await app.request("GET", `/v1/accounts/${agency.id}/resale`, { key: agency.key })).body.rate_per_minute).toBeNull();
      await page.getByLabel("USD a minute without it").fill("0.25");
      await page.getByRole("button", { name: "Save prices" }).click();
      await expect.poll(() => page.getByRole("status").filter({ hasText: "pay $0.20 a minute with the Web Widget and $0.25 without" }).count()).toBe(1);

      // Two minutes of the subaccount's calls at $0.25: it pays $0.50; the platform $0.36; the agency's margin $0.14.
      await startCall(app, sub, `call-margin-${width}`);
      await reportUsage(app, sub, `call-margin-${width}`, 120);
      const month = new Date().toISOString().slice(0, 7);
      const row = page.getByTestId(`margin-${month}-${sub.id}`);
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toBe(`${month}Scenario2.0$0.50$0.36$0.14`);
      expect(await page.getByTestId("margin-totals").textContent()).toContain("your margin $0.14");
      expect(await axeViolations(page)).toEqual([]);
      // No sideways scroll of the page itself, even at 375 px.
      expect(await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")).toBe(0);
      expect(watched.problems).toEqual([]);
      await watched.context.close();

      // The subaccount's own page: its rate, $0.25, and nothing of the agency's cost or margin.
      const own = await openSignedIn(browser, app.server.url, sub.key, width);
      await own.page.getByTestId("balance").waitFor();
      const text = (await own.page.textContent("body")) ?? "";
      expect(text).toContain("$0.25");
      expect(text).not.toContain("$0.18");
      expect(text).not.toContain("margin");
      expect(await own.page.getByRole("link", { name: "Rebilling" }).count()).toBe(0);
      await own.context.close();
    });
  }
});
