import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountWith, addCard, CARDS, settled } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

/** Every page of a list, one row at a time, following next_cursor. */
async function pageThrough(path: string, key: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const res: { status: number; body: any } = await app.request("GET", `${path}?limit=1${cursor ? `&cursor=${cursor}` : ""}`, { key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.data.map((row: { id: string }) => row.id));
    cursor = res.body.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error("more pages than rows");
}

// Three rows whose created_at differ below the millisecond: two in the same millisecond.
const INSTANTS = ["2026-01-01 00:00:00.123456+00", "2026-01-01 00:00:00.123200+00", "2026-01-01 00:00:00.122000+00"];

describe("newest-first paging", () => {
  it("pages subaccounts created within one millisecond without skipping or repeating one", async () => {
    const agency = await app.createAccount({ name: "Paging agency", type: "agency" });
    const subs = [];
    for (let i = 0; i < 3; i++) subs.push(await app.createAccount({ name: `Sub ${i}`, type: "subaccount", parent_id: agency.id }));
    for (const [i, sub] of subs.entries()) await app.db.db.execute(sql`update accounts set created_at = ${INSTANTS[i]}::timestamptz where id = ${sub.id}`);
    expect(await pageThrough(`/v1/accounts/${agency.id}/subaccounts`, agency.key)).toEqual(subs.map((s) => s.id));
  });

  it("pages recharges created within one millisecond without skipping or repeating one", async () => {
    const account = await accountWith(app, { balance: "100.00" });
    await addCard(app, account, CARDS.visa);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "10" } });
      expect(topUp.status).toBe(201);
      ids.push(topUp.body.id);
      await settled(app, account);
    }
    // The newest first: the last top-up gets the latest instant.
    for (const [i, id] of [...ids].reverse().entries()) await app.db.db.execute(sql`update recharges set created_at = ${INSTANTS[i]}::timestamptz where id = ${id}`);
    expect(await pageThrough(`/v1/accounts/${account.id}/recharges`, account.key)).toEqual([...ids].reverse());
  });

  it("pages the notification feed by sequence, counts what is unread and marks the given ones read", async () => {
    const account = await accountWith(app, { balance: "100.00" });
    await addCard(app, account, CARDS.visa);
    for (const threshold of ["10", "11", "12"]) {
      const saved = await app.request("PUT", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key, body: { enabled: false, threshold } });
      expect(saved.status).toBe(200);
    }
    const path = `/v1/accounts/${account.id}/notifications`;
    const ids = await pageThrough(path, account.key);
    expect(ids).toHaveLength(3);
    expect((await app.request("GET", path, { key: account.key })).body.unread).toBe(3);
    const read = await app.request("POST", `${path}/read`, { key: account.key, body: { ids: [ids[0], ids[2]] } });
    expect(read.status).toBe(200);
    const after = await app.request("GET", path, { key: account.key });
    expect(after.body.unread).toBe(1);
    expect(after.body.data.map((n: { id: string; read: boolean }) => [n.id, n.read])).toEqual([
      [ids[0], true],
      [ids[1], false],
      [ids[2], true],
    ]);
  });
});
