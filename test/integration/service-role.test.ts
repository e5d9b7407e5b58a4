import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { generateKey } from "../../src/accounts/api-keys.js";
import { CARDS, waitFor } from "../support/scenario.js";
import { jsonClient, runCli, spawnServer, type ServerProcess } from "../support/processes.js";
import { onPostgres } from "../support/test-database.js";

// Issue 27, item 14 (docs/production.md, "Database roles"): a superuser can set
// session_replication_role = replica and write past the append-only triggers. The service runs
// as a role with only the grants in scripts/service-role.sql; migrations run as the owner.
// This test builds both roles on the local PostgreSQL, runs the service with the narrow one
// through a whole money path, and checks what that role cannot do.
describe.runIf(onPostgres)("the service under a role with only the grants it needs", () => {
  const suffix = randomBytes(4).toString("hex");
  const owner = `prepaid_owner_${suffix}`;
  const app = `prepaid_app_${suffix}`;
  const database = `prepaid_roles_${suffix}`;
  // Read when used: on PGlite the suite is skipped and DATABASE_URL is empty.
  const base = () => new URL(process.env.DATABASE_URL!);
  const urlFor = (user: string, db = database) => {
    const url = base();
    url.username = user;
    url.password = "";
    url.pathname = `/${db}`;
    return url.toString();
  };
  const servers: ServerProcess[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    const admin = new pg.Client({ connectionString: base().toString() });
    await admin.connect();
    for (const statement of [`drop database if exists ${database} with (force)`, `drop database if exists ${database}_fresh with (force)`, `drop role if exists ${app}`, `drop role if exists ${owner}`]) {
      await admin.query(statement).catch(() => {});
    }
    await admin.end();
  });

  it("runs calls, charges and refunds as that role; the role cannot bypass or remove the append-only guards", async () => {
    const admin = new pg.Client({ connectionString: base().toString() });
    await admin.connect();
    try {
      await admin.query(`create role ${owner} login nosuperuser`);
      await admin.query(`create role ${app} login nosuperuser`);
      await admin.query(`create database ${database} owner ${owner}`);
      await admin.query(`create database ${database}_fresh owner ${owner}`);
      await admin.query(`revoke all on database ${database} from public`);
      await admin.query(`revoke all on database ${database}_fresh from public`);
      await admin.query(`grant connect on database ${database}_fresh to ${app}`);
    } finally {
      await admin.end();
    }
    const env = { PREPAID_SECRET: process.env.PREPAID_SECRET!, PREPAID_DEMO: "false", PREPAID_WORKER_POLL_MS: "50" };

    // The owner migrates; the grants script gives the service role what it needs.
    const migrated = await runCli(["migrate"], { ...env, DATABASE_URL: urlFor(owner) });
    expect(migrated.code, migrated.output).toBe(0);
    const granted = spawnSync("psql", [urlFor(owner), "-v", "ON_ERROR_STOP=1", "-v", `app_role=${app}`, "-v", `owner_role=${owner}`, "-f", join(process.cwd(), "scripts/service-role.sql")], { encoding: "utf8" });
    expect(granted.status, granted.stderr).toBe(0);

    // The service role cannot migrate a database: it says to run `prepaid migrate` as the owner.
    const refused = await runCli(["migrate"], { ...env, DATABASE_URL: urlFor(app, `${database}_fresh`) });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("run `prepaid migrate` as the database's owner");

    // The service as the narrow role: a card, a top-up the worker charges, a call, a refund.
    const adminKey = generateKey();
    const server = await spawnServer({ ...env, DATABASE_URL: urlFor(app), PREPAID_ADMIN_KEY: adminKey });
    servers.push(server);
    const api = jsonClient(server.url);
    const account = await api("POST", "/v1/accounts", adminKey, { name: "Narrow", type: "user", web_widget: true });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    const key = (await api("POST", `/v1/accounts/${account.body.id}/api-keys`, adminKey)).body.key as string;
    const card = await api("POST", `/v1/accounts/${account.body.id}/payment-methods`, key, { card: { number: CARDS.visa, exp_month: 12, exp_year: 2034, cvc: "123" } });
    expect(card.status).toBe(201);
    const topUp = await api("POST", `/v1/accounts/${account.body.id}/recharges`, key, { amount: "20.00" });
    expect(topUp.status).toBe(201);
    await waitFor("the top-up to settle", async () => ((await api("GET", `/v1/accounts/${account.body.id}`, key)).body.balance === "20.00" ? true : undefined));
    expect((await api("POST", "/v1/calls", key, { account_id: account.body.id, call_id: "call-narrow" })).status).toBe(201);
    expect((await api("POST", "/v1/calls/call-narrow/end", key, { elapsed_seconds: 60 })).status).toBe(200);
    expect((await api("POST", `/v1/accounts/${account.body.id}/recharges/${topUp.body.id}/refunds`, adminKey, { amount: "5.00", reason: "goodwill" })).status).toBe(201);
    await waitFor("the refund", async () => ((await api("GET", `/v1/accounts/${account.body.id}`, key)).body.balance === "14.84" ? true : undefined));
    const verified = await runCli(["verify"], { ...env, DATABASE_URL: urlFor(app) });
    expect(verified.code, verified.output).toBe(0);

    // What the role cannot do: the bypass a superuser has, and changes only an owner may make.
    const narrow = new pg.Client({ connectionString: urlFor(app) });
    await narrow.connect();
    try {
      const refusal = async (statement: string) => (await narrow.query(statement).then(() => "allowed", (e: Error & { code?: string }) => e.code ?? e.message)) as string;
      expect(await refusal("set session_replication_role = replica")).toBe("42501");
      expect(await refusal("alter table ledger_entries disable trigger ledger_entries_append_only")).toBe("42501");
      expect(await refusal("update ledger_entries set amount_micros = 0")).toBe("42501");
      expect(await refusal("delete from audit_log")).toBe("42501");
      expect(await refusal("drop table ledger_entries")).toBe("42501");
      expect(await refusal("truncate wallets")).toBe("42501");
    } finally {
      await narrow.end();
    }
  }, 120_000);
});
