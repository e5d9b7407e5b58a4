import { eq, sql } from "drizzle-orm";
import type { Tx } from "../db/database.js";
import { accountBranding } from "../db/schema.js";
import type { Account } from "./accounts.js";

export interface Branding {
  displayName: string | null;
  logoUrl: string | null;
  accentColor: string | null;
}

export type BrandingPatch = { [K in keyof Branding]?: Branding[K] | undefined };

const NONE: Branding = { displayName: null, logoUrl: null, accentColor: null };
const isSet = (b: Branding) => b.displayName !== null || b.logoUrl !== null || b.accentColor !== null;

async function ownBranding(tx: Tx, accountId: string): Promise<Branding> {
  const [row] = await tx
    .select({ displayName: accountBranding.displayName, logoUrl: accountBranding.logoUrl, accentColor: accountBranding.accentColor })
    .from(accountBranding)
    .where(eq(accountBranding.accountId, accountId));
  return row ?? NONE;
}

/**
 * What the account's pages show: its own branding when it has any, else its agency's (a
 * subaccount inside its agency's platform looks like that platform), else none. Whole, not
 * field by field: an own logo beside the agency's colour would be neither brand.
 */
export async function effectiveBranding(tx: Tx, account: Account): Promise<Branding & { source: "own" | "agency" | "none" }> {
  const own = await ownBranding(tx, account.id);
  if (isSet(own)) return { ...own, source: "own" };
  if (account.parentId) {
    const agency = await ownBranding(tx, account.parentId);
    if (isSet(agency)) return { ...agency, source: "agency" };
  }
  return { ...NONE, source: "none" };
}

/** Saves the fields given (null clears one); the rest keep their values. Returns before and after. */
export async function saveBranding(tx: Tx, accountId: string, patch: BrandingPatch): Promise<{ before: Branding; after: Branding }> {
  // The row is made to exist, then read under FOR UPDATE: `before` is then the value this save
  // replaced, even when another save runs at the same moment.
  await tx.insert(accountBranding).values({ accountId }).onConflictDoNothing();
  const [locked] = await tx
    .select({ displayName: accountBranding.displayName, logoUrl: accountBranding.logoUrl, accentColor: accountBranding.accentColor })
    .from(accountBranding)
    .where(eq(accountBranding.accountId, accountId))
    .for("update");
  const before = locked ?? NONE;
  const after: Branding = {
    displayName: patch.displayName === undefined ? before.displayName : patch.displayName,
    logoUrl: patch.logoUrl === undefined ? before.logoUrl : patch.logoUrl,
    accentColor: patch.accentColor === undefined ? before.accentColor : patch.accentColor?.toUpperCase() ?? null,
  };
  await tx.update(accountBranding).set({ ...after, updatedAt: sql`now()` }).where(eq(accountBranding.accountId, accountId));
  return { before, after };
}
