/**
 * `npm run screenshots`: regenerates docs/screenshots/*.png from the real service.
 *
 * Starts prepaid on an in-memory PGlite with the sandbox gateway, builds a month of history
 * through the public API (calls, usage, Auto-Recharge, a declining card), then photographs the
 * dashboard in Debian's Chromium. To give the usage chart 30 days from a run that takes
 * seconds, each simulated day's rows are moved back by whole days right after that day is
 * played: every timestamp column at or after the day's start, in every table. The shift is the
 * same for all rows of a day and days are played oldest first, so the ledger's order and the
 * balances are exactly what the service wrote.
 */
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { connect, migrate } from "../../src/db/connect.js";
import { queryRows } from "../../src/db/database.js";
import { startHostPlatform, type HostOptions } from "../../examples/host-platform/server.js";
import { launchChromium, openPage, signIn } from "../support/browser.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

const OUT_DIR = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
const DAYS = 30;

type Account = { id: string; key: string };

/** A fixed sequence, so two runs draw the same chart. */
function sequence(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

async function ok(app: TestApp, method: string, path: string, key: string, body?: unknown) {
  const res = await app.request(method, path, { key, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function account(app: TestApp, input: Record<string, unknown>, opening?: string): Promise<Account> {
  const { id, key } = await app.createAccount(input);
  if (opening) await ok(app, "POST", `/v1/accounts/${id}/adjustments`, app.adminKey, { amount: opening, reason: "opening balance" });
  return { id, key };
}

async function addCard(app: TestApp, who: Account, number: string, expMonth: number, expYear: number) {
  await ok(app, "POST", `/v1/accounts/${who.id}/payment-methods`, who.key, {
    card: { number, exp_month: expMonth, exp_year: expYear, cvc: "123" },
    default: true,
  });
}

async function playCalls(app: TestApp, who: Account, seconds: number[]) {
  for (const elapsed of seconds) {
    const started = await app.request("POST", "/v1/calls", { key: who.key, body: { account_id: who.id } });
    // 402: paused or out of credit, as a real platform would be told; that account's day is over.
    if (started.status === 402) return;
    if (started.status !== 201) throw new Error(`start call: ${started.status} ${JSON.stringify(started.body)}`);
    // A call longer than the balance pays for is billed what it could pay: the history shows it.
    await ok(app, "POST", `/v1/calls/${started.body.call_id}/end`, who.key, { elapsed_seconds: Math.min(elapsed, started.body.max_seconds) });
  }
}

/** Waits for the worker to settle every recharge of these accounts. */
async function settle(app: TestApp, accounts: Account[]) {
  for (let i = 0; i < 400; i++) {
    const open = await queryRows<{ n: bigint }>(
      app.db.db,
      sql`select count(*)::bigint as n from recharges where status in ('pending', 'processing') and next_attempt_at <= now()
          and account_id in (${sql.join(accounts.map((a) => sql`${a.id}`), sql`, `)})`,
    );
    if (open[0]!.n === 0n) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("recharges did not settle");
}

/** Moves every timestamp written since `since` back by `days` whole days. */
async function shiftBack(app: TestApp, since: string, days: number) {
  if (days === 0) return;
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    app.db.db,
    sql`select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type = 'timestamp with time zone'`,
  );
  // The ledger and the audit log refuse updates; this throwaway in-memory database lifts that for the move only.
  await app.db.db.execute(sql`alter table ledger_entries disable trigger ledger_entries_append_only`);
  await app.db.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
  for (const { table_name, column_name } of columns) {
    const column = sql.identifier(column_name);
    await app.db.db.execute(
      sql`update ${sql.identifier(table_name)} set ${column} = ${column} - make_interval(days => ${days})
          where ${column} >= ${since}::timestamptz`,
    );
  }
  await app.db.db.execute(sql`alter table ledger_entries enable trigger ledger_entries_append_only`);
  await app.db.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
}

/** The database's clock, as text it reads back exactly. */
const clock = async (app: TestApp) => (await queryRows<{ now: string }>(app.db.db, sql`select clock_timestamp()::text as now`))[0]!.now;

async function seed(app: TestApp) {
  const random = sequence(7);
  // The accounts, cards and settings belong to day 0, the oldest.
  let dayStart = await clock(app);
  const user = await account(app, { name: "Northwind Voice", type: "user", web_widget: true }, "30.00");
  await addCard(app, user, "5555555555554444", 8, 2029);
  await addCard(app, user, "4242424242424242", 12, 2030);
  await ok(app, "PUT", `/v1/accounts/${user.id}/auto-recharge`, user.key, {
    enabled: true,
    threshold: "10.00",
    amount: "50.00",
    monthly_limit: "400.00",
  });

  const agency = await account(app, { name: "Harbor Agency", type: "agency" });
  const subaccount = (name: string, widget: boolean, opening: string) =>
    account(app, { name, type: "subaccount", parent_id: agency.id, web_widget: widget }, opening);
  const dental = await subaccount("Acme Dental", true, "40.00");
  await addCard(app, dental, "4242424242424242", 3, 2031);
  await ok(app, "PUT", `/v1/accounts/${dental.id}/auto-recharge`, dental.key, { enabled: true, threshold: "15.00", amount: "60.00" });
  const realty = await subaccount("Bright Realty", false, "25.00");
  // Saves fine, declines every charge: this subaccount ends the month paused.
  await addCard(app, realty, "4000000000000341", 11, 2029);
  await ok(app, "PUT", `/v1/accounts/${realty.id}/auto-recharge`, realty.key, { enabled: true, threshold: "5.00", amount: "25.00" });
  const clinic = await subaccount("Cedar Clinic", true, "80.00");
  const all = [user, dental, realty, clinic];

  for (let day = 0; day < DAYS; day++) {
    if (day > 0) dayStart = await clock(app);
    const weekend = day % 7 === 5 || day % 7 === 6;
    const calls = (n: number) => Array.from({ length: weekend ? Math.ceil(n / 3) : n }, () => 45 + random(360));
    await playCalls(app, user, calls(6 + random(8)));
    await playCalls(app, dental, calls(3 + random(4)));
    if (day >= 18) await playCalls(app, realty, calls(4 + random(3)));
    if (day % 3 === 0) await playCalls(app, clinic, calls(2));
    await settle(app, all);
    await shiftBack(app, dayStart, DAYS - 1 - day);
  }
  return { user, agency, realty };
}

async function main() {
  const handle = await connect({ dataDir: "memory://" });
  await migrate(handle);
  // The example platform listens first: its origin is the one allowed to frame the dashboard.
  const hostOptions: HostOptions = { prepaidUrl: "", operatorKey: "", accountId: "" };
  const host = await startHostPlatform(hostOptions);
  const app = await startTestApp({ PREPAID_SANDBOX_DELAY_MS: "0", PREPAID_EMBED_ORIGINS: host.url }, { db: handle });
  Object.assign(hostOptions, { prepaidUrl: app.server.url, operatorKey: app.adminKey });
  const browser = await launchChromium();
  try {
    const { user, agency, realty } = await seed(app);
    await mkdir(OUT_DIR, { recursive: true });

    const shoot = async (key: string, width: number, path: string, file: string, ready: string) => {
      const watched = await openPage(browser, app.server.url, width, 900);
      await signIn(watched.page, key);
      if (path !== "/") await watched.page.goto(path);
      await watched.page.getByText(ready, { exact: false }).first().waitFor();
      // Let the chart finish its entry animation.
      await watched.page.waitForTimeout(1_500);
      await watched.page.screenshot({ path: `${OUT_DIR}${file}`, fullPage: true });
      if (watched.problems.length > 0) throw new Error(`${file}: ${watched.problems.join("; ")}`);
      await watched.context.close();
      console.log(`wrote docs/screenshots/${file}`);
    };
    await shoot(user.key, 1280, "/payments", "payments-desktop.png", "minutes at");
    await shoot(user.key, 375, "/payments", "payments-narrow.png", "minutes at");
    await shoot(agency.key, 1280, "/subaccounts", "agency-subaccounts.png", "Bright Realty");
    await shoot(agency.key, 1280, `/subaccounts/${realty.id}`, "agency-subaccount-paused.png", "paused");
    await shoot(user.key, 1280, "/settings", "settings-desktop.png", "Auto-Recharge settings changed");
    await shoot(app.adminKey, 1280, "/operator", "operator-console.png", "Bright Realty");

    // The same Payments page framed by the example platform (docs/embedding.md), in its colours.
    await ok(app, "PUT", `/v1/accounts/${user.id}/branding`, user.key, { display_name: "VoxFlow Billing", accent_color: "#1F7A55" });
    hostOptions.accountId = user.id;
    const shootFramed = async (width: number, file: string) => {
      const watched = await openPage(browser, host.url, width, 900);
      await watched.page.goto("/");
      await watched.page.getByRole("button", { name: "Payments" }).click();
      const frame = watched.page.frameLocator("iframe[title=Payments]");
      await frame.getByText("minutes at", { exact: false }).first().waitFor();
      await watched.page.waitForTimeout(1_500);
      await watched.page.screenshot({ path: `${OUT_DIR}${file}`, fullPage: true });
      if (watched.problems.length > 0) throw new Error(`${file}: ${watched.problems.join("; ")}`);
      await watched.context.close();
      console.log(`wrote docs/screenshots/${file}`);
    };
    await shootFramed(1280, "embedded-desktop.png");
    await shootFramed(375, "embedded-narrow.png");
  } finally {
    await browser.close();
    await app.close();
    await host.close();
    await handle.close();
  }
}

await main();
