import { existsSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../../src/db/connect.js";
import { queryRows, type DatabaseHandle } from "../../src/db/database.js";
import { verifyLedger } from "../../src/ledger/verify.js";
import { unixSocketUrl } from "../support/database-url.js";
import { addCard, CARDS, reportUsage, saveAutoRecharge, settled, startCall } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { testDatabase, type TestDatabase } from "../support/test-database.js";

// PostgreSQL on these machines also listens on its Unix socket (issue 19): the service runs on it
// with nothing but the URL changed. Only on the PostgreSQL pass, where the socket is there.
const SOCKET_DIR = "/var/run/postgresql";
const onSocket = Boolean(process.env.DATABASE_URL) && existsSync(`${SOCKET_DIR}/.s.PGSQL.5432`);

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.runIf(onSocket)("PostgreSQL over its Unix socket", () => {
  it("serves calls, usage and Auto-Recharge with DATABASE_URL=postgres://…@/db?host=/var/run/postgresql", async () => {
    const database: TestDatabase = await testDatabase();
    cleanups.push(() => database.close());
    const socket: DatabaseHandle = await connect({ databaseUrl: unixSocketUrl(database.url!, SOCKET_DIR), poolSize: 4 });
    cleanups.push(() => socket.close());
    const app: TestApp = await startTestApp({ PREPAID_PAYMENTS: "sandbox" }, { db: socket });
    cleanups.push(() => app.close());

    // A socket connection has no server address: this is not TCP under another name.
    const [where] = await queryRows<{ on_socket: boolean }>(socket.db, sql`select inet_server_addr() is null as on_socket`);
    expect(where?.on_socket).toBe(true);

    const account = await app.createAccount({ name: "Socket", type: "user" });
    await app.request("POST", `/v1/accounts/${account.id}/adjustments`, { key: app.adminKey, body: { amount: "11.00", reason: "opening" } });
    await addCard(app, account, CARDS.visa);
    await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20" });
    const call = (await startCall(app, account)).body.call_id as string;
    await reportUsage(app, account, call, 600); // $1.80: crosses $10
    const done = await settled(app, account);
    expect(done.map((r) => [r.trigger, r.amount, r.status])).toEqual([["auto", "20.00", "succeeded"]]);
    expect((await app.request("GET", `/v1/accounts/${account.id}`, { key: account.key })).body.balance).toBe("29.20");
    expect(await verifyLedger(socket.db)).toEqual([]);
  });
});
