import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows } from "../../src/db/database.js";
import { accountWith, addCard, CARDS, saveAutoRecharge, useScenarioApp } from "../support/scenario.js";

const app = useScenarioApp();

const savedCards = async (account: { id: string; key: string }) =>
  (await app.request("GET", `/v1/accounts/${account.id}/payment-methods`, { key: account.key })).body.data as {
    id: string;
    last4: string;
    exp_year: number;
    is_default: boolean;
  }[];

describe("the same card saved again (issue 15: two identical rows, both offered to charge)", () => {
  it("replaces the saved copy, which leaves the list; the new one takes over being the default", async () => {
    const account = await accountWith(app);
    const first = await addCard(app, account, CARDS.visa);
    expect(first).toMatchObject({ is_default: true, replaced_payment_method_id: null });
    const other = await addCard(app, account, CARDS.declinesOnCharge);
    // The same number with a new expiry: the card the bank sent to replace the old one.
    const again = await addCard(app, account, CARDS.visa, false, 2036);
    expect(again).toMatchObject({ last4: "4242", exp_year: 2036, is_default: true, replaced_payment_method_id: first.id });

    const cards = await savedCards(account);
    expect(cards.map((c) => c.id).sort()).toEqual([again.id, other.id].sort());
    expect(cards.filter((c) => c.is_default).map((c) => c.id)).toEqual([again.id]);
    // The copy is kept, removed, for the history of the charges made on it.
    const [row] = await queryRows<{ deleted: boolean }>(app.db.db, sql`select deleted_at is not null as deleted from payment_methods where id = ${first.id}`);
    expect(row?.deleted).toBe(true);
    // A different card with the same last 4 is another card.
    expect((await addCard(app, account, CARDS.declinesOnCharge)).replaced_payment_method_id).toBe(other.id);
  });

  it("Auto-Recharge that charged the copy charges the new one", async () => {
    const account = await accountWith(app, { balance: "50.00" });
    const visa = await addCard(app, account, CARDS.visa);
    const chosen = await addCard(app, account, CARDS.declinesOnCharge);
    const saved = await saveAutoRecharge(app, account, { enabled: true, threshold: "10", amount: "20", payment_method_id: chosen.id });
    expect(saved.status).toBe(200);
    const again = await addCard(app, account, CARDS.declinesOnCharge);
    expect(again.replaced_payment_method_id).toBe(chosen.id);
    // Not the default (the copy was not), yet Auto-Recharge's card: it moved with the card.
    expect(again.is_default).toBe(false);
    const settings = await app.request("GET", `/v1/accounts/${account.id}/auto-recharge`, { key: account.key });
    expect(settings.body.payment_method_id).toBe(again.id);
    expect((await savedCards(account)).map((c) => c.id).sort()).toEqual([visa.id, again.id].sort());
  });

  it("keeps no number and no unsalted hash of it: the fingerprint is the provider's keyed one", async () => {
    const account = await accountWith(app);
    const card = await addCard(app, account, CARDS.visa);
    const [row] = await queryRows<{ fingerprint: string | null }>(app.db.db, sql`select fingerprint from payment_methods where id = ${card.id}`);
    expect(row?.fingerprint).toMatch(/\S{16,}/);
    for (const algorithm of ["sha256", "sha1", "md5"]) {
      expect(row?.fingerprint).not.toContain(createHash(algorithm).update(CARDS.visa).digest("hex"));
    }
    expect(row?.fingerprint).not.toContain(CARDS.visa);
    expect(row?.fingerprint).not.toContain(CARDS.visa.slice(0, 12));
  });
});
