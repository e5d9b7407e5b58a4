import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { inTransaction, queryRows, type Database } from "../../db/database.js";
import { randomBase62 } from "../../ids/prefixed-id.js";
import { cardBrand } from "../card-number.js";
import { classifyFailure } from "../decline.js";
import type { CardToSave, ChargeOutcome, ChargeRequest, PaymentGateway, SavedCard } from "../gateway.js";
import { invalid } from "../../errors/app-error.js";
import { NO_FAULTS, type SandboxFaults } from "./faults.js";
import { testCardBehaviour } from "./test-cards.js";

const FAILURE_MESSAGES: Record<string, string> = {
  card_declined: "Your card was declined.",
  insufficient_funds: "Your card has insufficient funds.",
  expired_card: "Your card has expired.",
  authentication_required: "This payment requires authentication by the card holder.",
  processing_error: "An error occurred while processing your card. Try again later.",
};

function outcomeFor(behaviour: string): ChargeOutcome {
  if (behaviour === "succeed") return { status: "succeeded", chargeId: `ch_sandbox_${randomBase62(16)}` };
  return { status: "failed", code: behaviour, message: FAILURE_MESSAGES[behaviour] ?? behaviour };
}

interface ChargeRow {
  charge_id: string;
  amount_micros: bigint;
  status: "succeeded" | "failed";
  failure_code: string | null;
}

function storedOutcome(row: ChargeRow): ChargeOutcome {
  if (row.status === "succeeded") return { status: "succeeded", chargeId: row.charge_id };
  const code = row.failure_code ?? "card_declined";
  return { status: "failed", code, message: FAILURE_MESSAGES[code] ?? code };
}

/**
 * The built-in sandbox provider. It behaves like a real one: it keeps its own card vault
 * (a token and the card's test behaviour, never the number) and its own charge records
 * keyed by idempotency key, in tables of its own, committed before it answers, as a
 * provider's would be. A key whose charge succeeded or failed hard answers the same
 * outcome forever; a soft failure (processing_error) is tried again on the next call with
 * that key, as Stripe does with retryable errors.
 */
export class SandboxGateway implements PaymentGateway {
  readonly provider = "sandbox" as const;
  constructor(
    private readonly db: Database,
    private readonly delayMs: number,
    private readonly faults: SandboxFaults = NO_FAULTS,
  ) {}

  async saveCard(_accountId: string, input: CardToSave): Promise<SavedCard> {
    if (input.kind !== "card") throw invalid("card: required with the sandbox gateway (provider_payment_method is for Stripe)");
    const { card } = input;
    const token = `tok_sandbox_${randomBase62(20)}`;
    const behaviour = testCardBehaviour(card.number);
    await this.db.execute(sql`insert into sandbox_cards (token, behaviour) values (${token}, ${behaviour})`);
    return { providerRef: token, brand: cardBrand(card.number), last4: card.number.slice(-4), expMonth: card.expMonth, expYear: card.expYear };
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    // The provider's processing time: a process killed now has charged nothing.
    if (this.delayMs > 0) await sleep(this.delayMs);
    const roll = Math.random();
    if (roll < this.faults.error) throw new Error("sandbox: 503 Service Unavailable (nothing charged)");
    if (roll < this.faults.error + this.faults.slow) await sleep(this.faults.slowMs);
    const outcome = await this.record(request);
    if (roll >= 1 - this.faults.errorAfter) throw new Error("sandbox: 502 Bad Gateway (after charging)");
    return outcome;
  }

  private record(request: ChargeRequest): Promise<ChargeOutcome> {
    return inTransaction(this.db, async (tx) => {
      const [existing] = await queryRows<ChargeRow>(
        tx,
        sql`select charge_id, amount_micros, status, failure_code from sandbox_charges
            where idempotency_key = ${request.idempotencyKey} for update`,
      );
      if (existing && existing.amount_micros !== request.amountMicros) {
        throw new Error(`assertion: idempotency key ${request.idempotencyKey} reused with another amount`);
      }
      if (existing && (existing.status === "succeeded" || classifyFailure(existing.failure_code ?? "") === "hard")) {
        return storedOutcome(existing);
      }
      const [card] = await queryRows<{ behaviour: string }>(
        tx,
        sql`select behaviour from sandbox_cards where token = ${request.providerRef}`,
      );
      const outcome = card ? outcomeFor(card.behaviour) : ({ status: "failed", code: "card_declined", message: "No such card." } as const);
      const chargeId = outcome.status === "succeeded" ? outcome.chargeId : (existing?.charge_id ?? `ch_sandbox_${randomBase62(16)}`);
      await tx.execute(
        sql`insert into sandbox_charges (idempotency_key, charge_id, card_token, amount_micros, status, failure_code)
            values (${request.idempotencyKey}, ${chargeId}, ${request.providerRef}, ${request.amountMicros}, ${outcome.status},
                    ${outcome.status === "failed" ? outcome.code : null})
            on conflict (idempotency_key) do update
              set status = excluded.status, failure_code = excluded.failure_code, charge_id = excluded.charge_id,
                  attempts = sandbox_charges.attempts + 1, updated_at = now()`,
      );
      return outcome;
    });
  }

  async lookup({ idempotencyKey }: ChargeRequest): Promise<ChargeOutcome | undefined> {
    const [row] = await queryRows<ChargeRow>(
      this.db,
      sql`select charge_id, amount_micros, status, failure_code from sandbox_charges where idempotency_key = ${idempotencyKey}`,
    );
    return row ? storedOutcome(row) : undefined;
  }
}
