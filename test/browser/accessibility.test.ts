import { describe, expect, it } from "vitest";
import { axeViolations, openPage, signIn } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, reportUsage, startCall, useScenarioApp } from "../support/scenario.js";

// axe-core (WCAG 2.1 A and AA) on each page a user reaches, at 1280 and 375 px, with data on it.
const app = useScenarioApp();
const browser = useBrowser();

describe("accessibility", { timeout: 120_000 }, () => {
  it.each([1280, 375])("sign-in, Payments, Notifications and Subaccounts have no axe violation at %i px", async (width) => {
    const user = await accountWith(app, { balance: "12.00", webWidget: true });
    await addCard(app, user, CARDS.visa);
    const call = await startCall(app, user);
    await reportUsage(app, user, call.body.call_id, 95);
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    await accountWith(app, { balance: "3.00", type: "subaccount", parentId: agency.id });

    const found: string[] = [];
    const { page, context, problems } = await openPage(browser, app.server.url, width);
    found.push(...(await axeViolations(page)).map((v) => `sign-in: ${v}`));
    await signIn(page, user.key);
    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$11.74");
    await expect.poll(() => page.getByRole("table", { name: "Calls" }).locator("tbody tr").count()).toBe(1);
    // With a call's details open: the expanded row is checked too.
    await page.getByRole("button", { name: /^Show details of call / }).click();
    await expect.poll(() => page.getByRole("table", { name: "Calls" }).locator("tbody tr").count()).toBe(2);
    found.push(...(await axeViolations(page)).map((v) => `payments: ${v}`));
    await page.goto(`${app.server.url}/notifications`);
    await expect.poll(() => page.getByRole("heading", { name: "Notifications" }).count()).toBe(1);
    found.push(...(await axeViolations(page)).map((v) => `notifications: ${v}`));
    await context.close();

    const agencyPage = await openPage(browser, app.server.url, width);
    await signIn(agencyPage.page, agency.key);
    await agencyPage.page.goto(`${app.server.url}/subaccounts`);
    await expect.poll(() => agencyPage.page.getByRole("heading", { name: "Subaccounts" }).count()).toBe(1);
    found.push(...(await axeViolations(agencyPage.page)).map((v) => `subaccounts: ${v}`));
    await agencyPage.context.close();

    expect(found).toEqual([]);
    expect([...problems, ...agencyPage.problems]).toEqual([]);
  });
});
