import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { onPostgres } from "../support/test-database.js";
import { pdfText } from "../support/pdf-text.js";
import { accountWith, addCard, CARDS, saveAutoRecharge, settled, useScenarioApp } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";

// docs/concepts.md Receipts (issue 18, item 4): a numbered PDF per succeeded charge, numbers
// allocated without gaps in the settlement's transaction, readable by the owner and its agency.

const OPERATOR = "Harbor Voice Billing";

async function receipt(app: TestApp, accountId: string, rechargeId: string, key: string) {
  const res = await fetch(`${app.server.url}/v1/accounts/${accountId}/recharges/${rechargeId}/receipt.pdf`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, type: res.headers.get("content-type"), disposition: res.headers.get("content-disposition"), bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("receipts", () => {
  const app = useScenarioApp({ PREPAID_OPERATOR_NAME: OPERATOR });

  it("a paid charge has a PDF receipt with its number, amount, card, date and balance; the agency reads it too, nobody else", async () => {
    const agency = await app.createAccount({ name: "Harbor Agency", type: "agency" });
    const account = await accountWith(app, { balance: "2.50", type: "subaccount", parentId: agency.id });
    await addCard(app, account, CARDS.visa, true);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "50.00" } });
    expect(topUp.status).toBe(201);
    await settled(app, account);

    const got = await receipt(app, account.id, topUp.body.id, account.key);
    expect(got.status).toBe(200);
    expect(got.type).toBe("application/pdf");
    const [stored] = await queryRows<{ number: bigint; settled_at: Date | string }>(
      app.db.db,
      sql`select rc.number, r.settled_at from receipts rc join recharges r on r.id = rc.recharge_id where rc.recharge_id = ${topUp.body.id}`,
    );
    const number = stored!.number.toString().padStart(6, "0");
    expect(got.disposition).toBe(`attachment; filename="receipt-${number}.pdf"`);
    const { pages, info } = await pdfText(got.bytes);
    expect(pages).toHaveLength(1);
    const text = pages[0]!;
    expect(text).toContain(OPERATOR);
    expect(text).toContain(`Receipt ${number}`);
    expect(text).toContain("Amount paid $50.00 USD");
    expect(text).toContain("Paid with Visa •••• 4242");
    expect(text).toContain("Balance after payment $52.50 USD");
    expect(text).toContain(`Payment reference ${topUp.body.id}`);
    const paid = new Date(stored!.settled_at);
    expect(text).toContain(`Date paid ${paid.toLocaleString("en-US", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" })} UTC`);
    expect(info).toMatchObject({ Title: `Receipt ${number}`, Author: OPERATOR });

    // The agency reads its subaccount's receipt; another account, and a charge that is not this account's, are 404.
    expect((await receipt(app, account.id, topUp.body.id, agency.key)).status).toBe(200);
    const stranger = await accountWith(app, {});
    expect((await receipt(app, account.id, topUp.body.id, stranger.key)).status).toBe(404);
    expect((await receipt(app, stranger.id, topUp.body.id, stranger.key)).status).toBe(404);
  });

  it("a failed charge has no receipt and takes no number", async () => {
    const account = await accountWith(app, {});
    await addCard(app, account, CARDS.declinesOnCharge, true);
    const before = await queryRows<{ last_number: bigint }>(app.db.db, sql`select last_number from receipt_counters where operator = ${OPERATOR}`);
    const topUp = await app.request("POST", `/v1/accounts/${account.id}/recharges`, { key: account.key, body: { amount: "20.00" } });
    expect(topUp.status).toBe(201);
    expect((await settled(app, account))[0]!.status).toBe("failed");
    const got = await receipt(app, account.id, topUp.body.id, account.key);
    expect(got.status).toBe(404);
    expect(JSON.parse(new TextDecoder().decode(got.bytes)).error).toMatchObject({ code: "not_found" });
    expect(await queryRows(app.db.db, sql`select last_number from receipt_counters where operator = ${OPERATOR}`)).toEqual(before);
  });

  it.runIf(onPostgres)("numbers are consecutive across concurrent settlements (PostgreSQL, several connections)", async () => {
    // 12 accounts cross their threshold at once: 12 automatic charges settle side by side.
    const accounts = await Promise.all(Array.from({ length: 12 }, () => accountWith(app, { balance: "1.00" })));
    for (const account of accounts) await addCard(app, account, CARDS.visa, true);
    await Promise.all(accounts.map((account) => saveAutoRecharge(app, account, { enabled: true, threshold: "10.00", amount: "25.00" })));
    for (const account of accounts) expect((await settled(app, account)).map((r) => r.status)).toEqual(["succeeded"]);
    const numbers = await queryRows<{ number: bigint }>(app.db.db, sql`select number from receipts where operator = ${OPERATOR} order by number`);
    const all = numbers.map((r) => BigInt(r.number));
    expect(all).toEqual(all.map((_, i) => BigInt(i + 1)));
    const [counter] = await queryRows<{ last_number: bigint }>(app.db.db, sql`select last_number from receipt_counters where operator = ${OPERATOR}`);
    expect(BigInt(counter!.last_number)).toBe(BigInt(all.length));
  });
});
