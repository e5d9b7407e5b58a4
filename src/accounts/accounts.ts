import { eq } from "drizzle-orm";
import type { Tx } from "../db/database.js";
import { accounts, wallets } from "../db/schema.js";
import { invalidField, notFound } from "../errors/app-error.js";
import { newId } from "../ids/prefixed-id.js";

export type AccountType = "user" | "agency" | "subaccount";
export type AccountStatus = "active" | "paused";

export interface Account {
  id: string;
  name: string;
  type: AccountType;
  parentId: string | null;
  webWidget: boolean;
  status: AccountStatus;
  email: string | null;
  /** Calls it may run at once (operator setting); null: unlimited. */
  maxConcurrentCalls: number | null;
  /** Its price plan; null: the built-in default (docs/plans.md). */
  pricePlanId: string | null;
  createdAt: string;
}

// The balance is not here: views read it with the rest of the wallet state (loadWalletState).
const ACCOUNT = {
  id: accounts.id,
  name: accounts.name,
  type: accounts.type,
  parentId: accounts.parentId,
  webWidget: accounts.webWidget,
  status: accounts.status,
  email: accounts.email,
  maxConcurrentCalls: accounts.maxConcurrentCalls,
  pricePlanId: accounts.pricePlanId,
  createdAt: accounts.createdAt,
};

const accountFromRow = (row: Pick<typeof accounts.$inferSelect, keyof typeof ACCOUNT>): Account => ({
  id: row.id,
  name: row.name,
  type: row.type,
  parentId: row.parentId,
  webWidget: row.webWidget,
  status: row.status,
  email: row.email,
  maxConcurrentCalls: row.maxConcurrentCalls,
  pricePlanId: row.pricePlanId,
  createdAt: row.createdAt.toISOString(),
});

export interface NewAccount {
  name: string;
  type: AccountType;
  parentId?: string | undefined;
  webWidget?: boolean | undefined;
  email?: string | null | undefined;
}

/** Creates an account and its empty wallet together. */
export async function createAccount(tx: Tx, input: NewAccount): Promise<Account> {
  if (input.type === "subaccount") {
    if (!input.parentId) throw invalidField("parent_id", "a subaccount needs its agency's id");
    const [parent] = await tx.select({ type: accounts.type }).from(accounts).where(eq(accounts.id, input.parentId));
    if (!parent) throw invalidField("parent_id", `no account ${input.parentId}`);
    if (parent.type !== "agency") throw invalidField("parent_id", "a subaccount's parent must be an agency");
  } else if (input.parentId) {
    throw invalidField("parent_id", "only a subaccount has a parent");
  }
  const id = newId("acct");
  await tx.insert(accounts).values({ id, name: input.name, type: input.type, parentId: input.parentId ?? null, webWidget: input.webWidget ?? false, email: input.email ?? null });
  await tx.insert(wallets).values({ accountId: id });
  return getAccount(tx, id);
}

export async function findAccount(tx: Tx, id: string): Promise<Account | undefined> {
  const [row] = await tx.select(ACCOUNT).from(accounts).where(eq(accounts.id, id));
  return row ? accountFromRow(row) : undefined;
}

export async function getAccount(tx: Tx, id: string): Promise<Account> {
  const account = await findAccount(tx, id);
  if (!account) throw notFound("account");
  return account;
}

/** Sets (or with null, clears) where the account's receipts and failure notices are emailed. */
export async function setEmail(tx: Tx, id: string, email: string | null): Promise<Account> {
  await tx.update(accounts).set({ email }).where(eq(accounts.id, id));
  return getAccount(tx, id);
}

