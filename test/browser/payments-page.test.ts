import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { axeViolations, openSignedIn, type WatchedPage } from "../support/browser.js";
import { useBrowser } from "../support/use-browser.js";
import { accountWith, addCard, CARDS, getAccount, recharges, reportUsage, settled, startCall, useScenarioApp } from "../support/scenario.js";
import { pdfText } from "../support/pdf-text.js";

// The Payments page in a real Chromium against the real server and database: every
// assertion reads what a user sees, then checks the server agrees.
const app = useScenarioApp({ PREPAID_SANDBOX_DELAY_MS: "150" });
const browser = useBrowser();

const open = (key: string, width = 1280): Promise<WatchedPage> => openSignedIn(browser, app.server.url, key, width);

async function addCardInForm({ page }: WatchedPage, number: string) {
  await page.getByRole("textbox", { name: "Card number" }).fill(number);
  await page.getByLabel("Expiry (MM/YY)").fill("12/34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Save card" }).click();
}

// A browser test walks a whole user journey; 90 s bounds one that hangs.
describe("Payments page", { timeout: 90_000 }, () => {
  it("adds a card, and saving a threshold above the balance asks first, names amount and card, then charges once", async () => {
    const account = await accountWith(app, { balance: "12.00", webWidget: true });
    const watched = await open(account.key);
    const { page } = watched;

    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$12.00");
    await expect.poll(() => page.getByTestId("minutes").textContent()).toBe("≈ 75.00 minutes at $0.16/min (Web Widget on)");

    await page.getByRole("button", { name: "Add a card" }).click();
    // The help popover lists the test cards; picking one fills the field.
    await page.getByRole("button", { name: "Test cards" }).click();
    await expect.poll(() => page.getByRole("dialog", { name: "Sandbox test cards" }).textContent()).toContain("4000 0000 0000 0341");
    await page.getByRole("dialog", { name: "Sandbox test cards" }).getByRole("button", { name: "4242 4242 4242 4242" }).click();
    await expect.poll(() => page.getByRole("textbox", { name: "Card number" }).inputValue()).toBe("4242 4242 4242 4242");
    await addCardInForm(watched, "4242 4242 4242 4242");
    const savedCards = page.getByRole("list", { name: "Saved cards" });
    await expect.poll(() => savedCards.textContent()).toContain("Visa •••• 4242");
    await expect.poll(() => savedCards.textContent()).toContain("Default");

    // Off, the form shows no numbers (a new account's 10/50 defaults read as chosen settings).
    await expect.poll(() => page.getByTestId("auto-recharge-off").textContent()).toContain("nothing is charged automatically");
    expect(await page.getByLabel("Minimum Threshold").count()).toBe(0);
    await page.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await page.getByLabel("Minimum Threshold").fill("20");
    await page.getByLabel("Auto-Recharge Amount").fill("50");
    await page.getByRole("button", { name: "Save", exact: true }).click();

    const confirmation = page.getByTestId("charge-confirmation");
    await expect.poll(() => confirmation.textContent()).toBe("This will charge $50.00 to Visa •••• 4242 now.");
    // The consent the customer gives by confirming, word for word (issue 30).
    await expect.poll(() => page.getByTestId("consent-text").textContent()).toBe("I authorise prepaid to charge Visa •••• 4242 $50.00 whenever my balance falls below $20.00.");
    // Nothing is saved or charged before the user confirms.
    expect((await getAccount(app, account)).auto_recharge.enabled).toBe(false);
    expect(await recharges(app, account)).toEqual([]);

    await page.getByRole("button", { name: "Agree and charge" }).click();
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$62.00");
    // The note ends with what happened, not "Charging…" (issue 15, item 4).
    await expect.poll(() => page.getByTestId("auto-recharge-outcome").textContent()).toBe("Saved. Charged $50.00 to Visa •••• 4242 — balance $62.00.");
    const settledRecharges = await settled(app, account);
    expect(settledRecharges.map((r) => [r.trigger, r.amount, r.status])).toEqual([["threshold_sync", "50.00", "succeeded"]]);
    expect((await getAccount(app, account)).balance).toBe("62.00");

    // The payment in words: what it was, the card, the amount in cents, "Paid".
    await page.getByRole("tab", { name: "Payments" }).click();
    const paid = page.getByRole("table", { name: "Payments" }).locator("tbody tr");
    await expect.poll(() => paid.count()).toBe(1);
    expect(await paid.locator("td").allTextContents()).toEqual([expect.any(String), "Auto-Recharge · Visa •••• 4242", "$50.00", "Paid", "", "PDF"]);

    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("the same card saved twice is one row: the second save says it replaced the earlier copy", async () => {
    const account = await accountWith(app);
    const watched = await open(account.key);
    const { page } = watched;
    const savedCards = page.getByRole("list", { name: "Saved cards" });
    await page.getByRole("button", { name: "Add a card" }).click();
    await addCardInForm(watched, "4242 4242 4242 4242");
    await expect.poll(() => page.getByTestId("card-saved").textContent()).toBe("Saved Visa •••• 4242 as your default card.");
    await page.getByRole("button", { name: "Add a card" }).click();
    await addCardInForm(watched, "4242424242424242");
    await expect
      .poll(() => page.getByTestId("card-saved").textContent())
      .toBe("This card was already saved: Visa •••• 4242 now has the details you entered and replaces the earlier copy.");
    await expect.poll(() => savedCards.getByRole("listitem").count()).toBe(1);
    const listed = (await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key })).body.data;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ last4: "4242", is_default: true });
    expect(watched.problems).toEqual([]);
  });

  it("a declining default card: usage drains the wallet → failure banner with the reason, paused; a new card clears both", async () => {
    const account = await accountWith(app, { balance: "12.00", webWidget: true });
    const watched = await open(account.key);
    const { page } = watched;

    await page.getByRole("button", { name: "Add a card" }).click();
    await addCardInForm(watched, "4000 0000 0000 0341"); // saves fine, every charge is declined
    await expect.poll(() => page.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 0341");
    await page.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await page.getByLabel("Minimum Threshold").fill("10");
    await page.getByLabel("Auto-Recharge Amount").fill("50");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    // Balance $12 is above $10: nothing to charge now, only the consent to agree to.
    await page.getByRole("button", { name: "Agree and save" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved." }).count()).toBe(1);

    // Drain by usage through the API: 4490 s at $0.16/min leaves $0.026666, under one minute.
    const call = await startCall(app, account);
    expect(call.status).toBe(201);
    await reportUsage(app, account, call.body.call_id, 4490);

    const failure = page.getByTestId("failure-banner");
    await expect.poll(() => failure.textContent(), { timeout: 15_000 }).toContain("Your card was declined.");
    await expect.poll(() => page.getByTestId("paused-banner").count()).toBe(1);
    expect((await getAccount(app, account)).status).toBe("paused");
    // The side panel counts the unread notifications (recharge.failed, account.paused).
    await expect.poll(() => page.getByRole("link", { name: /Notifications/ }).textContent()).toMatch(/Notifications\d+/);

    await failure.getByRole("button", { name: "Update card" }).click();
    await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("card-number");
    await addCardInForm(watched, "4242424242424242");

    await expect.poll(() => page.getByTestId("failure-banner").count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.getByTestId("paused-banner").count()).toBe(0);
    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$50.02");
    const after = await getAccount(app, account);
    expect([after.status, after.auto_recharge.state, after.balance]).toEqual(["active", "idle", "50.026666"]);

    // The feed shows what happened; marking all read clears the count.
    await page.getByRole("link", { name: /Notifications/ }).click();
    const feed = page.getByRole("list", { name: "Notifications" });
    // Titles in plain words (issue 15), not raw event types.
    await expect.poll(() => feed.textContent()).toContain("Action needed: your Auto-Recharge payment failed");
    await expect.poll(() => feed.textContent()).toContain("Your account is active again");
    expect(await feed.textContent()).not.toContain("recharge.failed");
    await page.getByRole("button", { name: "Mark all as read" }).click();
    await expect.poll(() => page.getByRole("link", { name: /Notifications/ }).textContent()).toBe("Notifications");

    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  // Issue 27, items 15 and 16: the form opened before a recovery moved the card must not put
  // the declined card back; saving a card while failing says first that it charges, and how much.
  it("recovery on a new card: the card form says it will charge and shows the outcome; the Auto-Recharge form follows the move and a threshold save keeps the new card", async () => {
    const account = await accountWith(app, { balance: "5.00", webWidget: true });
    const declining = await addCard(app, account, CARDS.declined, true);
    const saved = await app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, {
      key: account.key,
      body: { enabled: true, threshold: "10.00", amount: "25.00", payment_method_id: declining.id },
    });
    expect(saved.body.triggered_recharge).not.toBeNull();
    await settled(app, account);
    const watched = await open(account.key);
    const { page } = watched;
    const failure = page.getByTestId("failure-banner");
    await expect.poll(() => failure.textContent()).toContain("Your card was declined.");
    await expect.poll(() => page.locator("#ar-card").inputValue()).toBe(declining.id);

    await failure.getByRole("button", { name: "Update card" }).click();
    // Before saving, the form says what saving does: it charges the new card $25.00 now.
    await expect.poll(() => page.getByTestId("card-save-charge").textContent()).toBe(
      "Saving this card makes it your default card and charges it $25.00 now, to retry the Auto-Recharge that failed.",
    );
    await page.getByRole("textbox", { name: "Card number" }).fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM/YY)").fill("12/34");
    await page.getByLabel("CVC").fill("123");
    await page.getByRole("button", { name: "Save card and charge $25.00" }).click();
    await expect.poll(() => page.getByTestId("card-saved").textContent(), { timeout: 15_000 }).toBe(
      "Saved Visa •••• 4242 as your default card. Charged $25.00 to Visa •••• 4242 — balance $30.00.",
    );
    await expect.poll(() => failure.count()).toBe(0);
    // The server moved Auto-Recharge to the default card: the untouched form shows it.
    await expect.poll(() => page.locator("#ar-card").inputValue()).toBe("");
    await expect.poll(() => page.locator("#ar-card option:checked").textContent()).toBe("Default card (Visa •••• 4242)");

    // Only the threshold changes: the save sends it alone, and the card stays the new one.
    const sent: unknown[] = [];
    page.on("request", (r) => r.method() === "PUT" && r.url().endsWith("/auto-recharge") && sent.push(r.postDataJSON()));
    await page.getByLabel("Minimum Threshold").fill("8");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    // A new threshold changes when the card is charged: the customer agrees to the new sentence.
    const consent = "I authorise prepaid to charge Visa •••• 4242 $25.00 whenever my balance falls below $8.00.";
    await expect.poll(() => page.getByTestId("consent-text").textContent()).toBe(consent);
    await page.getByRole("button", { name: "Agree and save" }).click();
    await expect.poll(() => page.getByTestId("auto-recharge-outcome").textContent()).toBe("Saved.");
    expect(sent).toEqual([{ threshold: "8", consent: { text: consent } }]);
    // The card-saved line belonged to the earlier action: it is gone, not left beside the new one.
    expect(await page.getByTestId("card-saved").count()).toBe(0);
    const settings = (await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key })).body;
    expect(settings).toMatchObject({ threshold: "8.00", payment_method_id: null, card: { last4: "4242" }, state: "idle" });
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("bad input is shown where it was typed and nothing is sent or saved; the server's own refusals are shown too", async () => {
    const account = await accountWith(app, { balance: "12.00" });
    const watched = await open(account.key);
    const { page } = watched;
    const writes: string[] = [];
    page.on("request", (request) => {
      if (request.method() !== "GET") writes.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    const before = (await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key })).body;

    await page.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await page.getByLabel("Minimum Threshold").fill("abc");
    await page.getByLabel("Auto-Recharge Amount").fill("0.001");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("#ar-threshold-error").textContent()).toBe('Minimum Threshold must be a plain decimal amount such as "50.00".');
    await expect.poll(() => page.locator("#ar-amount-error").textContent()).toBe("Auto-Recharge Amount must be whole cents (at most 2 decimals).");
    expect(await page.getByLabel("Minimum Threshold").getAttribute("aria-invalid")).toBe("true");
    expect(writes).toEqual([]);

    // A well-formed amount below the operator's minimum: the server refuses, the page says why.
    await page.getByLabel("Minimum Threshold").fill("10");
    await page.getByLabel("Auto-Recharge Amount").fill("1.00");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("#ar-amount-error").textContent()).toBe("Auto-Recharge Amount must be between $5.00 and $10,000.00.");
    expect(writes).toEqual([`POST /v1/accounts/${account.id}/auto-recharge/preview`]);

    // Enabling without a card: the server's payment_method_required is shown, not swallowed.
    await page.getByLabel("Auto-Recharge Amount").fill("50");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "add a valid card before enabling Auto-Recharge" }).count()).toBe(1);

    const after = (await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key })).body;
    expect(after).toEqual(before);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("the widget switch spells out the new rate and minutes before applying; CSV export holds the exact amounts", async () => {
    const account = await accountWith(app, { balance: "12.00", webWidget: true });
    const watched = await open(account.key);
    const { page } = watched;

    await page.getByRole("switch", { name: "Web Widget" }).click();
    const effect = page.getByRole("group", { name: "Confirm the Web Widget change" });
    await expect.poll(() => effect.textContent()).toContain(
      "changes the rate of new calls from $0.16/min to $0.18/min: your balance would last ≈ 66.66 minutes instead of ≈ 75.00",
    );
    expect((await getAccount(app, account)).web_widget).toBe(true); // not applied yet
    await effect.getByRole("button", { name: "Turn off" }).click();
    await expect.poll(() => page.getByTestId("minutes").textContent()).toBe("≈ 66.66 minutes at $0.18/min (Web Widget off)");
    expect((await getAccount(app, account)).web_widget).toBe(false);

    const call = await startCall(app, account);
    await reportUsage(app, account, call.body.call_id, 61); // 61 s at $0.18/min = $0.183
    await page.reload();
    // Calls: one row with its length, rate and cost in cents; the exact cost on hover and in the CSV.
    const callRow = page.getByRole("table", { name: "Calls" }).locator("tbody tr");
    await expect.poll(() => callRow.count()).toBe(1);
    expect((await callRow.locator("td").allTextContents()).slice(1)).toEqual(["1 min 1 s", "$0.18/min", "$0.18", "In progress", "Details"]);
    expect(await callRow.locator("td.num").getAttribute("title")).toBe("Exact: $0.183");
    const [callsCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const callLines = (await readFile((await callsCsv.path())!, "utf8")).trim().split("\r\n");
    expect(callLines[0]).toBe("call_id,started_at,ended_at,status,billed_seconds,rate_per_minute_usd,amount_usd,source,provider_call_id,provider_duration_seconds,ended_by");
    expect(callLines[1]).toMatch(new RegExp(`^${call.body.call_id},[^,]+,,active,61,0\\.18,0\\.183,api,,,$`));

    await page.getByRole("tab", { name: "All transactions" }).click();
    const entries = page.getByRole("table", { name: "All transactions" });
    await expect.poll(() => entries.locator("tbody tr").count()).toBe(2);
    expect((await entries.locator("tbody tr").first().locator("td").allTextContents()).slice(1)).toEqual(["Call", `Call ${call.body.call_id}`, "−$0.18", "$11.81"]);
    expect(await entries.locator("tbody tr").first().locator("td.num").first().getAttribute("title")).toBe("Exact: −$0.183");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = await readFile((await download.path())!, "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("id,created_at,type,amount_usd,balance_after_usd,call_id,recharge_id,reason");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,usage,-0.183,11.817,${call.body.call_id},,`);
    expect(lines[2]).toContain(",adjustment,12.00,12.00,,,scenario opening balance");

    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("a paid charge's numbered PDF receipt downloads from the Payments history, for the owner and for its agency", async () => {
    const agency = await app.createAccount({ name: "Receipt Agency", type: "agency" });
    const account = await accountWith(app, { type: "subaccount", parentId: agency.id, balance: "1.00", webWidget: true });
    await addCard(app, account, CARDS.visa, true);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    expect(topUp.status).toBe(201);
    await settled(app, account);

    const receiptFrom = async ({ page }: WatchedPage) => {
      await page.getByRole("tab", { name: "Payments" }).click();
      const row = page.getByRole("table", { name: "Payments" }).locator("tbody tr");
      await expect.poll(() => row.count()).toBe(1);
      const [file] = await Promise.all([page.waitForEvent("download"), row.getByRole("button", { name: /^PDF receipt of the / }).click()]);
      expect(file.suggestedFilename()).toMatch(/^receipt-\d{6}\.pdf$/);
      return (await pdfText(await readFile((await file.path())!))).pages.join(" ");
    };
    const owner = await open(account.key);
    const text = await receiptFrom(owner);
    expect(text).toContain("Amount paid $50.00 USD");
    expect(text).toContain("Paid with Visa •••• 4242");
    expect(text).toContain("Balance after payment $51.00 USD");
    expect(await axeViolations(owner.page)).toEqual([]);
    expect(owner.problems).toEqual([]);
    await owner.context.close();

    const watching = await open(agency.key);
    await watching.page.goto(`${app.server.url}/subaccounts/${account.id}`);
    await expect.poll(() => watching.page.getByTestId("balance").textContent()).toBe("$51.00");
    expect(await receiptFrom(watching)).toContain("Amount paid $50.00 USD");
    expect(watching.problems).toEqual([]);
    await watching.context.close();
  });

  it("all transactions: a call's reports are one row, opened to show each report", async () => {
    const account = await accountWith(app, { balance: "10.00" });
    const call = (await startCall(app, account)).body.call_id as string;
    for (const seconds of [20, 40, 60]) await reportUsage(app, account, call, seconds);
    const watched = await open(account.key);
    const { page } = watched;
    // $9.82 left after $0.18 of calls today: 1,309.3 hours at that pace.
    await expect.poll(() => page.getByTestId("runway").textContent()).toBe("Runway: ≈ 54 days 13 h at the last 24 hours' pace");
    await page.getByRole("tab", { name: "All transactions" }).click();
    const rows = page.getByRole("table", { name: "All transactions" }).locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    expect((await rows.first().locator("td").allTextContents()).slice(1)).toEqual(["Call", `Call ${call} · 3 reportsDetails`, "−$0.18", "$9.82"]);
    await page.getByRole("button", { name: `Show details of Call ${call} · 3 reports` }).click();
    await expect.poll(() => rows.count()).toBe(5);
    const details = await Promise.all([1, 2, 3].map(async (i) => (await rows.nth(i).locator("td").allTextContents()).slice(1)));
    expect(details).toEqual([
      ["Report", "−$0.06", "$9.82"],
      ["Report", "−$0.06", "$9.88"],
      ["Report", "−$0.06", "$9.94"],
    ]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("Auto-Recharge to a target: the form offers both modes, and the confirmation states the exact top-up", async () => {
    const account = await accountWith(app, { balance: "9.84" });
    const watched = await open(account.key);
    const { page } = watched;
    await page.getByRole("button", { name: "Add a card" }).click();
    await addCardInForm(watched, "4242 4242 4242 4242");
    await expect.poll(() => page.getByRole("list", { name: "Saved cards" }).textContent()).toContain("Visa •••• 4242");

    await page.getByRole("switch", { name: /Auto-Recharge/ }).check();
    await page.getByRole("radio", { name: "Top up to a target balance" }).check();
    expect(await page.getByLabel("Auto-Recharge Amount").count()).toBe(0);
    await page.getByLabel("Minimum Threshold").fill("10");
    // A target at the threshold is refused here, before anything is sent.
    await page.getByLabel("Target balance", { exact: true }).fill("10");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("#ar-target-error").textContent()).toBe("Target balance must be above the Minimum Threshold.");
    await page.getByLabel("Target balance", { exact: true }).fill("100");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByTestId("charge-confirmation").textContent()).toBe("This will charge $90.16 to Visa •••• 4242 now: what brings your balance of $9.84 to your Target balance of $100.00.");
    await page.getByRole("button", { name: "Agree and charge" }).click();
    await expect.poll(() => page.getByTestId("balance").textContent(), { timeout: 15_000 }).toBe("$100.00");
    const settings = (await getAccount(app, account)).auto_recharge;
    expect(settings).toMatchObject({ enabled: true, mode: "target", target: "100.00", threshold: "10.00" });
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("balance alerts: levels in dollars and minutes are saved, each with its dollar value now, which the widget moves", async () => {
    const account = await accountWith(app, { balance: "30.00" });
    const watched = await open(account.key);
    const { page } = watched;
    const card = page.getByRole("region", { name: "Balance alerts" });
    await card.getByRole("button", { name: "Add a level" }).click();
    await card.getByLabel("Level 1", { exact: true }).fill("20");
    await card.getByRole("button", { name: "Add a level" }).click();
    await card.getByLabel("Level 2", { exact: true }).fill("30");
    await card.getByLabel("Unit", { exact: true }).nth(1).selectOption("minutes");
    await card.getByRole("button", { name: "Save alerts" }).click();
    await expect.poll(() => card.getByRole("status").textContent()).toContain("Saved");
    await expect.poll(async () => (await card.getByRole("listitem").allTextContents()).join(" | ")).toMatch(/Now \$20\.00.*\| .*Now \$5\.40/);
    expect((await app.request("GET", `/v1/accounts/${account.id}/alerts`, { key: account.key })).body.levels).toEqual([
      { below: "20.00", amount: "20.00" },
      { below_minutes: "30", amount: "5.40" },
    ]);
    // At $0.16/min, 30 minutes is $4.80.
    await page.getByRole("switch", { name: "Web Widget" }).click();
    await page.getByRole("group", { name: "Confirm the Web Widget change" }).getByRole("button", { name: "Turn on" }).click();
    await expect.poll(async () => (await card.getByRole("listitem").nth(1).textContent()) ?? "").toContain("Now $4.80");
    expect(await axeViolations(page, "section[aria-labelledby=alerts-title]")).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("works at 375 px: the side panel opens from the menu button", async () => {
    const account = await accountWith(app, { balance: "3.00" });
    const watched = await open(account.key, 375);
    const { page } = watched;
    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$3.00");
    // No calls yet: the usage card says so instead of drawing an empty grid (issue 15).
    await expect.poll(() => page.getByTestId("usage-empty").textContent()).toContain("No calls in the last 30 days.");
    expect(await page.getByRole("img", { name: /Minutes and spend per day/ }).count()).toBe(0);
    expect(await page.getByRole("link", { name: /Notifications/ }).isVisible()).toBe(false);
    await page.getByRole("button", { name: "Menu" }).click();
    await page.getByRole("link", { name: /Notifications/ }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Notifications");
    // Nothing overflows the narrow viewport sideways (tables scroll inside their own box).
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });
});

describe("agency view", { timeout: 90_000 }, () => {
  it("lists subaccounts with balance, minutes, status and Auto-Recharge, drills down, and shows no edit control", async () => {
    const agency = await app.createAccount({ name: "Agency", type: "agency" });
    const dental = await accountWith(app, { type: "subaccount", parentId: agency.id, balance: "40.00", webWidget: true });
    await accountWith(app, { type: "subaccount", parentId: agency.id, balance: "3.10" });
    const watched = await open(agency.key);
    const { page } = watched;

    const table = page.getByRole("table", { name: "Subaccounts" });
    await expect.poll(() => table.getByRole("row").count()).toBe(3);
    // The agency lands on its subaccounts; its own wallet is named as such, not "Payments" (issue 15).
    expect(new URL(page.url()).pathname).toBe("/subaccounts");
    const nav = await page.getByRole("navigation").getByRole("link").allTextContents();
    expect(nav.slice(0, 2)).toEqual(["Subaccounts", "Agency wallet"]);
    const text = await table.textContent();
    expect(text).toContain("$40.00");
    expect(text).toContain("250.00"); // $40 at $0.16/min
    expect(text).toContain("17.22"); // $3.10 at $0.18/min
    expect(text).toContain("active");

    // The list's only controls are its search, filter and sort: nothing that writes.
    const noEditControls = async (filters: { searchboxes: number; comboboxes: number }) => {
      expect(await page.getByRole("textbox").count()).toBe(0);
      expect(await page.getByRole("searchbox").count()).toBe(filters.searchboxes);
      expect(await page.getByRole("switch").count()).toBe(0);
      expect(await page.getByRole("checkbox").count()).toBe(0);
      expect(await page.getByRole("combobox").count()).toBe(filters.comboboxes);
      expect(await page.getByRole("button", { name: /save|add a card|remove|update card|turn|confirm/i }).count()).toBe(0);
    };
    await noEditControls({ searchboxes: 1, comboboxes: 2 });

    await table.getByRole("link").first().click();
    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$3.10");
    await expect.poll(() => page.getByTestId("ar-state").textContent()).toBe("off");
    await page.getByRole("link", { name: "← Subaccounts" }).click();
    await page.getByRole("link", { name: "Scenario" }).nth(1).click();
    await expect.poll(() => page.getByTestId("balance").textContent()).toBe("$40.00");
    expect(new URL(page.url()).pathname).toBe(`/subaccounts/${dental.id}`);
    await noEditControls({ searchboxes: 0, comboboxes: 0 });

    // And the server refuses an agency's write anyway.
    const write = await app.request("PATCH", `/v1/accounts/${dental.id}`, { key: agency.key, body: { web_widget: false } });
    expect(write.status).toBe(403);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });

  it("flags the subaccounts at risk, filters, searches and counts them; at 375 px says the table scrolls", async () => {
    const agency = await app.createAccount({ name: "Risky Agency", type: "agency" });
    const named = async (name: string, balance: string) => {
      const created = await app.createAccount({ name, type: "subaccount", parent_id: agency.id });
      await app.request("POST", `/v1/accounts/${created.id}/adjustments`, { key: app.adminKey, body: { amount: balance, reason: "opening" } });
      // Each makes calls: a balance is a risk only for an account that does.
      const call = await app.request("POST", "/v1/calls", { key: created.key, body: { account_id: created.id } });
      await app.request("POST", `/v1/calls/${call.body.call_id}/end`, { key: created.key, body: { elapsed_seconds: 0 } });
    };
    await named("Bright Dental", "80.00");
    await named("Corner Bakery", "4.00");
    await named("Acme Plumbing", "25.00");
    const watched = await open(agency.key, 375);
    const { page } = watched;
    const rows = page.getByRole("table", { name: "Subaccounts" }).locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(3);
    // Lowest balance first, its risks in words; totals over all of them.
    expect(await rows.first().locator("td").first().textContent()).toBe("Corner Bakery");
    expect(await rows.first().textContent()).toContain("Below threshold, Auto-Recharge off");
    expect(await rows.first().textContent()).toContain("Under 30 minutes left");
    expect(await page.getByTestId("watch-totals").textContent()).toBe("3 subaccounts · $109.00 in total · 1 at risk");
    // 375 px: the columns past the edge are announced, not silently clipped.
    await expect.poll(() => page.getByTestId("scroll-hint").textContent()).toBe("Scroll sideways to see every column →");

    await page.getByLabel("Show").selectOption("any");
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel("Show").selectOption("");
    await page.getByLabel("Sort").selectOption("name");
    await expect.poll(async () => (await rows.locator("td:first-child").allTextContents()).join(", ")).toBe("Acme Plumbing, Bright Dental, Corner Bakery");
    await page.getByRole("searchbox", { name: "Search" }).fill("dental");
    await page.getByRole("searchbox", { name: "Search" }).press("Enter");
    await expect.poll(async () => (await rows.locator("td:first-child").allTextContents()).join(", ")).toBe("Bright Dental");
    expect(await page.getByTestId("watch-totals").textContent()).toBe("1 subaccount · $80.00 in total · 0 at risk");

    expect(await axeViolations(page)).toEqual([]);
    expect(watched.problems).toEqual([]);
    await watched.context.close();
  });
});
