import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { cost } from "../../src/money/rating.js";
import { accountWith, expectLedgerVerified } from "../support/scenario.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// docs/plans.md: per usage batch, the subaccounts' debits are the platform's part plus their
// agencies' margins, to the micro-dollar; over any batches, each agency earns exactly the
// margin of its subaccounts' billed seconds (rounded down per call) and the platform keeps at
// least each call's cost at the agency's own rate. Through the real usage writer and database.

let app: TestApp;
beforeAll(async () => {
  // No workers: nothing but the property's reports moves a wallet.
  app = await startTestApp({}, { worker: false });
});
afterAll(async () => {
  await expectLedgerVerified(app);
  await app.close();
});

type Wallets = Map<string, bigint>;
async function balances(ids: string[]): Promise<Wallets> {
  const rows = await queryRows<{ account_id: string; balance_micros: bigint }>(
    app.deps.db,
    sql`select account_id, balance_micros from wallets where account_id = any(${`{${ids.join(",")}}`}::text[])`,
  );
  return new Map(rows.map((r) => [r.account_id, BigInt(r.balance_micros)]));
}

describe("rebilling margins over many batches", () => {
  it("property: Σ subaccount debits = platform revenue + Σ agency margins; each agency's margin is exact; verify is clean", async () => {
    // Two agencies with different resale rates; each has a subaccount with the widget and one without, and a user account is billed beside them.
    const agencies = [
      { resale: { web_widget: "0.20", default: "0.25" } },
      { resale: { web_widget: "0.161111", default: "1.80" } },
    ];
    const subs: Array<{ id: string; key: string; agency: string; rate: bigint; margin: bigint; plan: bigint }> = [];
    const agencyIds: string[] = [];
    for (const a of agencies) {
      const agency = await app.createAccount({ name: "Prop agency", type: "agency" });
      agencyIds.push(agency.id);
      const set = await app.request("PUT", `/v1/accounts/${agency.id}/resale`, { key: agency.key, body: { rate_per_minute: a.resale } });
      expect(set.status).toBe(200);
      for (const widget of [true, false]) {
        const sub = await accountWith(app, { balance: "10000.00", type: "subaccount", parentId: agency.id, webWidget: widget });
        const rate = BigInt(Math.round(Number(widget ? a.resale.web_widget : a.resale.default) * 1e6));
        const plan = widget ? 160_000n : 180_000n;
        subs.push({ ...sub, agency: agency.id, rate, margin: rate - plan, plan });
      }
    }
    const user = await accountWith(app, { balance: "10000.00" });
    let run = 0;

    await fc.assert(
      fc.asyncProperty(
        // Reports: which call (0–4: the four subaccounts and the user), seconds to add, and which batch wave it goes in.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 }),
        async (reports) => {
          run += 1;
          const owners = [...subs, { ...user, agency: null, rate: 180_000n, margin: 0n, plan: 180_000n }];
          const callIds = owners.map((o, i) => `call-prop-${run}-${i}`);
          for (const [i, o] of owners.entries()) {
            const res = await app.request("POST", "/v1/calls", { key: o.key, body: { account_id: o.id, call_id: callIds[i] } });
            expect(res.status, JSON.stringify(res.body)).toBe(201);
          }
          const ids = [...owners.map((o) => o.id), ...agencyIds];
          const before = await balances(ids);
          // Cumulative seconds per call; reports go in waves, each wave's submissions at once (one or more batches).
          const elapsed = owners.map(() => 0);
          const waves: Array<Array<{ call: number; seconds: number }>> = [[], [], [], []];
          for (const [call, add, wave] of reports) {
            elapsed[call]! += add;
            waves[wave]!.push({ call, seconds: elapsed[call]! });
          }
          for (const wave of waves) {
            await Promise.all(wave.map((r) => app.deps.usageWriter.submit([{ callId: callIds[r.call]!, elapsedSeconds: r.seconds, final: false }])));
          }
          // What each call was billed in the end (waves may send a call's reports out of order: the highest counts).
          const billed = owners.map((_, i) => Math.max(0, ...waves.flat().filter((r) => r.call === i).map((r) => r.seconds)));
          const after = await balances(ids);

          let subDebits = 0n;
          let platform = 0n;
          const marginOf = new Map(agencyIds.map((id) => [id, 0n]));
          for (const [i, o] of owners.entries()) {
            const paid = before.get(o.id)! - after.get(o.id)!;
            expect(paid, `call ${i}`).toBe(cost(billed[i]!, o.rate));
            if (!o.agency) continue;
            const margin = (BigInt(billed[i]!) * o.margin) / 60n;
            subDebits += paid;
            platform += paid - margin;
            marginOf.set(o.agency, marginOf.get(o.agency)! + margin);
            expect(paid - margin).toBeGreaterThanOrEqual(cost(billed[i]!, o.plan));
          }
          const margins = agencyIds.map((id) => after.get(id)! - before.get(id)!);
          expect(margins).toEqual(agencyIds.map((id) => marginOf.get(id)!));
          expect(subDebits).toBe(platform + margins.reduce((a, b) => a + b, 0n));
        },
      ),
      { numRuns: 30 },
    );
    await expectLedgerVerified(app);
  });
});
