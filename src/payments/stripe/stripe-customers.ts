import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/database.js";

/** The account's Stripe customer (made with its first saved card), or undefined before it has one. */
export async function stripeCustomerOf(tx: Tx, accountId: string): Promise<string | undefined> {
  const [row] = await queryRows<{ customer_id: string }>(tx, sql`select customer_id from stripe_customers where account_id = ${accountId}`);
  return row?.customer_id;
}
