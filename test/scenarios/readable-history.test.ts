import { describe, expect, it } from "vitest";
import { accountWith, addCard, CARDS, recharges, reportUsage, settled, startCall, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

type CallRecord = { id: string; status: string; rate_per_minute: string; billed_seconds: number; amount: string; started_at: string; ended_at: string | null };

async function listAll<T>(path: string, key: string, limit: number): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const res: { status: number; body: any } = await app.request("GET", `${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, { key });
    expect(res.status).toBe(200);
    rows.push(...(res.body.data as T[]));
    cursor = res.body.next_cursor;
    if (!cursor) return rows;
  }
  throw new Error("more pages than the test made");
}

describe("a history a billing user can read (issue 15)", () => {
  it("lists each call once, its reports folded into seconds and the exact amount the ledger holds for it", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    const first = (await startCall(app, account, "hist-call-1")).body.call_id as string;
    await reportUsage(app, account, first, 30);
    await reportUsage(app, account, first, 95);
    const ended = await app.request("POST", `/v1/calls/${first}/end`, { key: account.key, body: { elapsed_seconds: 100 } });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    const second = (await startCall(app, account, "hist-call-2")).body.call_id as string;
    await reportUsage(app, account, second, 7);

    const callRows = await listAll<CallRecord>(`/v1/accounts/${account.id}/calls`, account.key, 1);
    expect(callRows.map((c) => c.id)).toEqual([second, first]);
    expect(callRows[1]).toMatchObject({ status: "ended", rate_per_minute: "0.18", billed_seconds: 100, amount: "0.30" });
    expect(callRows[1]!.ended_at).not.toBeNull();
    expect(callRows[0]).toMatchObject({ status: "active", billed_seconds: 7, amount: "0.021", ended_at: null });

    // The folded figure is the ledger's: per call, the sum of its usage entries.
    const entries = await listAll<{ type: string; call_id: string | null; amount: string }>(`/v1/accounts/${account.id}/transactions`, account.key, 100);
    for (const call of callRows) {
      const micros = entries.filter((e) => e.type === "usage" && e.call_id === call.id).reduce((sum, e) => sum + toMicros(e.amount), 0n);
      expect(-micros).toBe(toMicros(call.amount));
    }
    expect(entries.filter((e) => e.call_id === first).length).toBeGreaterThan(1);
  });

  it("names the card each recharge charged, also after the card is removed", async () => {
    const account = await accountWith(app, { balance: "20.00" });
    const visa = await addCard(app, account, CARDS.visa);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "25.00" } });
    expect(topUp.status).toBe(201);
    expect(topUp.body.card).toEqual({ brand: "visa", last4: "4242" });
    await settled(app, account);
    await addCard(app, account, CARDS.declinesOnCharge);
    expect((await app.request("DELETE", `/v1/accounts/${account.id}/payment-methods/${visa.id}`, { key: account.key })).status).toBe(200);
    const [recharge] = await recharges(app, account);
    expect(recharge).toMatchObject({ payment_method_id: visa.id, card: { brand: "visa", last4: "4242" }, status: "succeeded" });
  });

  it("refuses a cursor it did not make with a 400, and another account's calls are not found", async () => {
    const account = await accountWith(app);
    const other = await accountWith(app);
    const bad = await app.request("GET", `/v1/accounts/${account.id}/calls?cursor=bm9wZQ`, { key: account.key });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_request", field: "cursor" });
    expect((await app.request("GET", `/v1/accounts/${other.id}/calls`, { key: account.key })).status).toBe(404);
  });
});

/** "-0.253333" → -253333n: exact, no JS number on the way. */
function toMicros(amount: string): bigint {
  const negative = amount.startsWith("-");
  const [whole, fraction = ""] = amount.replace("-", "").split(".");
  const micros = BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
  return negative ? -micros : micros;
}
