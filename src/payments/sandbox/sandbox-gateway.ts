import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { inTransaction, queryRows, type Database } from "../../db/database.js";
import { randomBase62 } from "../../ids/prefixed-id.js";
import { cardBrand } from "../card-number.js";
import { classifyFailure } from "../decline.js";
import type { CardToSave, ChargeOutcome, ChargeRequest, PaymentGateway, ProviderEvent, RefundOutcome, RefundRequest, SavedCard } from "../gateway.js";
import { invalidField } from "../../errors/app-error.js";
import type { SandboxFaults } from "./faults.js";
import { testCardBehaviour } from "./test-cards.js";

const FAILURE_MESSAGES: Record<string, string> = {
  card_declined: "Your card was declined.",
  insufficient_funds: "Your card has insufficient funds.",
  expired_card: "Your card has expired.",
  authentication_required: "This payment requires authentication by the card holder.",
  processing_error: "An error occurred while processing your card. Try again later.",
};

function outcomeFor(behaviour: string): ChargeOutcome {
  if (behaviour === "succeed" || behaviour === "dispute") return { status: "succeeded", chargeId: `ch_sandbox_${randomBase62(16)}` };
  return { status: "failed", code: behaviour, message: FAILURE_MESSAGES[behaviour] ?? behaviour };
}

interface ChargeRow {
  charge_id: string;
  amount_micros: bigint;
  status: "processing" | "succeeded" | "failed";
  failure_code: string | null;
  /** The row is processing and older than a charge can take: its process died mid-charge. */
  abandoned: boolean;
}

const IN_PROGRESS: ChargeOutcome = { status: "unknown", code: "provider_unavailable", message: "The charge is still being processed." };

function storedOutcome(row: ChargeRow): ChargeOutcome {
  if (row.status === "succeeded") return { status: "succeeded", chargeId: row.charge_id };
  if (row.status === "processing") return IN_PROGRESS;
  const code = row.failure_code ?? "card_declined";
  return { status: "failed", code, message: FAILURE_MESSAGES[code] ?? code };
}

/** A key whose outcome is settled for good at the provider: it answers that outcome again. */
const final = (row: ChargeRow) => row.status === "succeeded" || (row.status === "failed" && classifyFailure(row.failure_code ?? "") === "hard");

/**
 * The built-in sandbox provider. It behaves like a real one: it keeps its own card vault
 * (a token and the card's test behaviour, never the number) and its own charge records
 * keyed by idempotency key, in tables of its own, committed before it answers, as a
 * provider's would be. Like Stripe, it records a request when it receives it (status
 * processing) and its outcome when done: a lookup meanwhile says "still processing" (an
 * unknown outcome), and a second request with the same key while the first runs is answered
 * the same way instead of charging again. A key whose charge succeeded or failed hard answers
 * the same outcome forever; a soft failure (processing_error) is tried again on the next call
 * with that key, as Stripe does with retryable errors.
 */
export class SandboxGateway implements PaymentGateway {
  readonly provider = "sandbox" as const;
  /**
   * A processing record older than this belongs to a process that died mid-charge (a charge
   * takes delayMs, plus slowMs when slowed): it charged nothing, and the key may be used again.
   */
  private readonly abandonAfterMs: number;

  constructor(
    private readonly db: Database,
    private readonly delayMs: number,
    private readonly faults: SandboxFaults,
    /** The card number's identity, keyed by the server secret (an unsalted hash of a number is reversible). */
    private readonly fingerprintOf: (cardNumber: string) => string,
  ) {
    this.abandonAfterMs = delayMs + faults.slowMs + 1_000;
  }

  /** The `abandoned` column of a charge record (see abandonAfterMs). */
  private get abandonedColumn() {
    return sql`(status = 'processing' and updated_at < now() - make_interval(secs => ${this.abandonAfterMs / 1000})) as abandoned`;
  }

  async saveCard(_accountId: string, input: CardToSave): Promise<SavedCard> {
    if (input.kind !== "card") throw invalidField("card", "required with the sandbox gateway (provider_payment_method is for Stripe)");
    const { card } = input;
    const token = `tok_sandbox_${randomBase62(20)}`;
    const behaviour = testCardBehaviour(card.number);
    await this.db.execute(sql`insert into sandbox_cards (token, behaviour) values (${token}, ${behaviour})`);
    return { providerRef: token, brand: cardBrand(card.number), last4: card.number.slice(-4), expMonth: card.expMonth, expYear: card.expYear, fingerprint: this.fingerprintOf(card.number) };
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const roll = Math.random();
    if (roll < this.faults.error) throw new Error("sandbox: 503 Service Unavailable (nothing charged)");
    const received = await this.receive(request);
    if (received) return received;
    // The provider's processing time: a process killed now has charged nothing (its record
    // stays processing until abandonAfterMs, then the key may be charged again).
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (roll < this.faults.error + this.faults.slow) await sleep(this.faults.slowMs);
    const outcome = await this.complete(request);
    if (roll >= 1 - this.faults.errorAfter) throw new Error("sandbox: 502 Bad Gateway (after charging)");
    return outcome;
  }

  /**
   * Records the request as processing, committed before any work. Returns the answer instead
   * when the key is settled for good or another request with it is still being processed.
   */
  private receive(request: ChargeRequest): Promise<ChargeOutcome | undefined> {
    return inTransaction(this.db, async (tx) => {
      const [existing] = await queryRows<ChargeRow>(
        tx,
        sql`select charge_id, amount_micros, status, failure_code,
                   ${this.abandonedColumn}
            from sandbox_charges where idempotency_key = ${request.idempotencyKey} for update`,
      );
      if (existing && existing.amount_micros !== request.amountMicros) {
        throw new Error(`assertion: idempotency key ${request.idempotencyKey} reused with another amount`);
      }
      if (existing && (final(existing) || (existing.status === "processing" && !existing.abandoned))) return storedOutcome(existing);
      await tx.execute(
        sql`insert into sandbox_charges (idempotency_key, charge_id, card_token, amount_micros, status, failure_code)
            values (${request.idempotencyKey}, ${`ch_sandbox_${randomBase62(16)}`}, ${request.providerRef}, ${request.amountMicros}, 'processing', null)
            on conflict (idempotency_key) do update
              set status = 'processing', failure_code = null, attempts = sandbox_charges.attempts + 1, updated_at = now()`,
      );
      return undefined;
    });
  }

  /** The card's test behaviour decides the outcome, recorded on the processing row. */
  private complete(request: ChargeRequest): Promise<ChargeOutcome> {
    return inTransaction(this.db, async (tx) => {
      const [card] = await queryRows<{ behaviour: string }>(
        tx,
        sql`select behaviour from sandbox_cards where token = ${request.providerRef}`,
      );
      const outcome = card ? outcomeFor(card.behaviour) : ({ status: "failed", code: "card_declined", message: "No such card." } as const);
      const updated = await queryRows<{ charge_id: string }>(
        tx,
        sql`update sandbox_charges
            set status = ${outcome.status}, failure_code = ${outcome.status === "failed" ? outcome.code : null},
                charge_id = ${outcome.status === "succeeded" ? outcome.chargeId : sql`charge_id`}, updated_at = now()
            where idempotency_key = ${request.idempotencyKey} and status = 'processing'
            returning charge_id`,
      );
      // Taken over after this request was abandoned (it ran past abandonAfterMs): the other
      // request's outcome stands, and this one charged nothing.
      if (updated.length === 0) return IN_PROGRESS;
      // Test card 0259: the card holder disputes the charge as soon as it is made, so the
      // dispute may reach billing before the charge's own settlement does.
      if (card?.behaviour === "dispute" && outcome.status === "succeeded") {
        await tx.execute(
          sql`insert into sandbox_disputes (dispute_id, charge_id, amount_micros) values (${`dp_sandbox_${randomBase62(16)}`}, ${outcome.chargeId}, ${request.amountMicros})`,
        );
      }
      return outcome;
    });
  }

  /**
   * Refunds a succeeded sandbox charge: recorded under the key, so asking again answers the
   * same refund; never more in total than the charge, as a provider refuses.
   */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    if (Math.random() < this.faults.error) throw new Error("sandbox: 503 Service Unavailable (nothing refunded)");
    return inTransaction(this.db, async (tx) => {
      const [charge] = await queryRows<{ amount_micros: bigint; status: string }>(
        tx,
        sql`select amount_micros, status from sandbox_charges where charge_id = ${request.chargeId} for update`,
      );
      const [existing] = await queryRows<{ refund_id: string }>(tx, sql`select refund_id from sandbox_refunds where idempotency_key = ${request.idempotencyKey}`);
      if (existing) return { status: "succeeded", refundId: existing.refund_id };
      if (!charge || charge.status !== "succeeded") return { status: "failed", code: "charge_not_refundable", message: "No succeeded charge to refund." };
      // As Stripe answers charge_disputed: a charged-back payment is the bank's to return (the
      // sandbox's disputes never close, so any dispute of the charge refuses it).
      const [disputed] = await queryRows(tx, sql`select 1 from sandbox_disputes where charge_id = ${request.chargeId}`);
      if (disputed) return { status: "failed", code: "charge_disputed", message: "The charge you are attempting to refund has been charged back." };
      const [refunded] = await queryRows<{ total: bigint | string }>(
        tx,
        sql`select coalesce(sum(amount_micros), 0)::bigint as total from sandbox_refunds where charge_id = ${request.chargeId}`,
      );
      if (BigInt(refunded!.total) + request.amountMicros > BigInt(charge.amount_micros)) {
        return { status: "failed", code: "amount_too_large", message: "The refund is larger than what is left of the charge." };
      }
      const refundId = `re_sandbox_${randomBase62(16)}`;
      await tx.execute(
        sql`insert into sandbox_refunds (idempotency_key, refund_id, charge_id, amount_micros)
            values (${request.idempotencyKey}, ${refundId}, ${request.chargeId}, ${request.amountMicros})`,
      );
      return { status: "succeeded", refundId };
    });
  }

  /** Disputes not yet handed to billing, oldest first: the sandbox's stand-in for webhooks. */
  async pendingEvents(limit: number): Promise<ProviderEvent[]> {
    const rows = await queryRows<{ dispute_id: string; charge_id: string; amount_micros: bigint }>(
      this.db,
      sql`select dispute_id, charge_id, amount_micros from sandbox_disputes where delivered_at is null order by created_at, dispute_id limit ${limit}`,
    );
    return rows.map((r) => ({
      id: `evt_${r.dispute_id}`,
      type: "charge.dispute.created",
      kind: "dispute_opened",
      chargeId: r.charge_id,
      disputeId: r.dispute_id,
      amountMicros: BigInt(r.amount_micros),
    }));
  }

  /** Billing handled the event (recorded under its id): it is not handed over again. */
  async eventDelivered(eventId: string): Promise<void> {
    await this.db.execute(sql`update sandbox_disputes set delivered_at = now() where 'evt_' || dispute_id = ${eventId}`);
  }

  async lookup({ idempotencyKey }: ChargeRequest): Promise<ChargeOutcome | undefined> {
    const [row] = await queryRows<ChargeRow>(
      this.db,
      sql`select charge_id, amount_micros, status, failure_code,
                 ${this.abandonedColumn}
          from sandbox_charges where idempotency_key = ${idempotencyKey}`,
    );
    // An abandoned processing record charged nothing: as if the provider never had the request.
    if (!row || row.abandoned) return undefined;
    return storedOutcome(row);
  }
}
