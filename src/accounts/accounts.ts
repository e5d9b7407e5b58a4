import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../db/database.js";
import { toIso } from "../db/timestamps.js";
import { invalidField, notFound } from "../errors/app-error.js";
import { newId } from "../ids/prefixed-id.js";
import { byCreated, microsOf, pageOf, type CreatedKey } from "../db/keyset.js";

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
  createdAt: string;
}

interface AccountRow {
  id: string;
  name: string;
  type: AccountType;
  parent_id: string | null;
  web_widget: boolean;
  status: AccountStatus;
  email: string | null;
  created_at: unknown;
}

function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    parentId: row.parent_id,
    webWidget: row.web_widget,
    status: row.status,
    email: row.email,
    createdAt: toIso(row.created_at),
  };
}

// The balance is not here: views read it with the rest of the wallet state (loadWalletState).
const accountColumns = sql`a.id, a.name, a.type, a.parent_id, a.web_widget, a.status, a.email, a.created_at`;
const selectAccount = sql`select ${accountColumns} from accounts a`;

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
    const [parent] = await queryRows<{ type: AccountType }>(tx, sql`select type from accounts where id = ${input.parentId}`);
    if (!parent) throw invalidField("parent_id", `no account ${input.parentId}`);
    if (parent.type !== "agency") throw invalidField("parent_id", "a subaccount's parent must be an agency");
  } else if (input.parentId) {
    throw invalidField("parent_id", "only a subaccount has a parent");
  }
  const id = newId("acct");
  await tx.execute(
    sql`insert into accounts (id, name, type, parent_id, web_widget, email)
        values (${id}, ${input.name}, ${input.type}, ${input.parentId ?? null}, ${input.webWidget ?? false}, ${input.email ?? null})`,
  );
  await tx.execute(sql`insert into wallets (account_id) values (${id})`);
  return getAccount(tx, id);
}

export async function findAccount(tx: Tx, id: string): Promise<Account | undefined> {
  const [row] = await queryRows<AccountRow>(tx, sql`${selectAccount} where a.id = ${id}`);
  return row ? accountFromRow(row) : undefined;
}

export async function getAccount(tx: Tx, id: string): Promise<Account> {
  const account = await findAccount(tx, id);
  if (!account) throw notFound("account");
  return account;
}

/** Sets (or with null, clears) where the account's receipts and failure notices are emailed. */
export async function setEmail(tx: Tx, id: string, email: string | null): Promise<Account> {
  await tx.execute(sql`update accounts set email = ${email} where id = ${id}`);
  return getAccount(tx, id);
}

/** An agency's subaccounts, newest first, keyset-paged on (created_at, id). */
export async function listSubaccounts(
  tx: Tx,
  agencyId: string,
  limit: number,
  after: CreatedKey | undefined,
): Promise<{ accounts: Account[]; next: CreatedKey | undefined }> {
  const rows = await queryRows<AccountRow & { created_micros: bigint }>(
    tx,
    sql`select ${accountColumns}, ${microsOf(sql`a.created_at`)} as created_micros from accounts a
        where a.parent_id = ${agencyId} ${byCreated(sql`a.created_at`, sql`a.id`, after, limit)}`,
  );
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: BigInt(last.created_micros), id: last.id }));
  return { accounts: page.map(accountFromRow), next };
}
