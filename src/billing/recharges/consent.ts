import { desc, and, eq } from "drizzle-orm";
import type { Actor } from "../../accounts/principal.js";
import type { Tx } from "../../db/database.js";
import { createdBefore, microsOf, pageOf, type CreatedKey } from "../../db/keyset.js";
import { consents } from "../../db/schema.js";
import { newId } from "../../ids/prefixed-id.js";
import type { ConsentTerms } from "./consent-sentence.js";

/** The settings a consent covers, as compared before and after a save. */
export interface ConsentedSettings {
  enabled: boolean;
  thresholdMicros: bigint;
  amountMicros: bigint;
  mode: "fixed" | "target";
  targetMicros: bigint | null;
  monthlyLimitMicros: bigint | null;
  /** The card an automatic charge would use (the chosen one, else the default). */
  cardId: string | null;
  backupCardId: string | null;
}

/**
 * Whether saving `after` needs the customer's consent (pure): turning Auto-Recharge on, or
 * changing while it is on what it charges, on which card, or when — the card, the backup card,
 * the amount, the mode, the target, the threshold or the monthly limit. Turning it off, or
 * saving it off, needs none.
 */
export function needsConsent(before: ConsentedSettings, after: ConsentedSettings): boolean {
  if (!after.enabled) return false;
  if (!before.enabled) return true;
  return (
    before.cardId !== after.cardId ||
    before.backupCardId !== after.backupCardId ||
    before.amountMicros !== after.amountMicros ||
    before.mode !== after.mode ||
    before.targetMicros !== after.targetMicros ||
    before.thresholdMicros !== after.thresholdMicros ||
    before.monthlyLimitMicros !== after.monthlyLimitMicros
  );
}

/** What the caller attests: the words shown, and where they were agreed to. */
export interface ConsentInput {
  /** The sentence the customer saw; null: the server writes it (consentSentence). */
  text: string | null;
  actor: Actor;
  ip: string | null;
  userAgent: string | null;
}

export interface Consent {
  id: string;
  accountId: string;
  text: string;
  actor: Actor;
  ip: string | null;
  userAgent: string | null;
  terms: ConsentTerms;
  createdAt: string;
}

/** Writes one consent, in the caller's transaction (the settings change it covers). */
export async function recordConsent(tx: Tx, accountId: string, text: string, input: ConsentInput, terms: ConsentTerms): Promise<Consent> {
  const [row] = await tx
    .insert(consents)
    .values({ id: newId("cns"), accountId, text, actorType: input.actor.type, actorId: input.actor.id, ip: input.ip, userAgent: input.userAgent, terms })
    .returning();
  return fromRow(row!);
}

const fromRow = (r: typeof consents.$inferSelect): Consent => ({
  id: r.id,
  accountId: r.accountId,
  text: r.text,
  actor: { type: r.actorType, id: r.actorId },
  ip: r.ip,
  userAgent: r.userAgent,
  terms: r.terms as ConsentTerms,
  createdAt: r.createdAt.toISOString(),
});

/** An account's consents, newest first, cursor-paged. */
export async function listConsents(tx: Tx, accountId: string, limit: number, after: CreatedKey | undefined): Promise<{ consents: Consent[]; next: CreatedKey | undefined }> {
  const rows = await tx
    .select({ consent: consents, createdMicros: microsOf(consents.createdAt).mapWith(BigInt) })
    .from(consents)
    .where(and(eq(consents.accountId, accountId), createdBefore(consents.createdAt, consents.id, after)))
    .orderBy(desc(consents.createdAt), desc(consents.id))
    .limit(limit + 1);
  const { page, next } = pageOf(rows, limit, (last) => ({ createdMicros: last.createdMicros, id: last.consent.id }));
  return { consents: page.map((r) => fromRow(r.consent)), next };
}

/** The account's newest consent's id (charges carry it to the provider: what a chargeback is answered with). */
export async function latestConsentId(tx: Tx, accountId: string): Promise<string | null> {
  const [row] = await tx.select({ id: consents.id }).from(consents).where(eq(consents.accountId, accountId)).orderBy(desc(consents.createdAt), desc(consents.id)).limit(1);
  return row?.id ?? null;
}
