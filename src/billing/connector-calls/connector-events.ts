import { sql } from "drizzle-orm";
import type { Config } from "../../config/config.js";
import type { CallEvent, ProviderName } from "../../connectors/connector.js";
import { connectorCallId } from "../../connectors/connector.js";
import { inTransaction, queryRows, type Database, type Tx } from "../../db/database.js";
import { AppError } from "../../errors/app-error.js";
import { assert } from "../../errors/assert.js";
import { postEntry } from "../../ledger/ledger.js";
import { connectorEventsTotal } from "../../metrics/registry.js";
import { cost } from "../../money/rating.js";
import { approveCallStarts } from "../calls/calls.js";
import { marginShare, pricingJoin, PRICING_COLUMNS, priceFromRow, type PricingRow } from "../pricing.js";
import { newId } from "../../ids/prefixed-id.js";
import type { UsageWriter } from "../usage/usage-writer.js";
import { overshootSeconds, planConnectorEvent, type ConnectorCallStatus } from "./connector-plan.js";

/** What one event did; `hang_up`: the call is refused, and the provider must end it (after commit). */
export interface EventOutcome {
  outcome: "duplicate" | "authorized" | "refused" | "answered" | "billed" | "ignored";
  callId: string;
  hangUp: boolean;
}

/** The event names an account prepaid does not have, or none at all: 404, nothing written. */
export class UnknownAccount extends Error {}

interface ConnectorCallRow {
  status: ConnectorCallStatus;
  account_id: string;
}

/**
 * Takes one provider event, exactly once, in one transaction: the event's key is claimed (a
 * duplicate or a retry finds it and changes nothing), the call's row is locked (two events of
 * one call, in two processes, take turns), and what the event means (connector-plan.ts) is
 * done there — an authorisation exactly as `POST /v1/calls`, or the final bill by the
 * provider's own duration through the usage path — so the event, its effect and the call's
 * state commit together or not at all. Lock order: connector call, then (as every usage batch)
 * the call, then the wallet.
 */
export async function applyCallEvent(
  db: Database,
  config: Config,
  usageWriter: UsageWriter,
  provider: ProviderName,
  event: CallEvent,
): Promise<EventOutcome> {
  const callId = connectorCallId(provider, event.providerCallId);
  const done = await inTransaction(db, async (tx): Promise<EventOutcome> => {
    const claimed = await queryRows<{ n: number }>(
      tx,
      sql`insert into connector_events (provider, event_key, call_id, outcome) values (${provider}, ${event.eventKey}, ${callId}, 'taken')
          on conflict do nothing returning 1 as n`,
    );
    if (claimed.length === 0) return { outcome: "duplicate", callId, hangUp: false };

    let known = await lockCall(tx, callId);
    if (!known) {
      const accountId = await knownAccount(tx, event.accountId);
      const created = await queryRows(
        tx,
        sql`insert into connector_calls (call_id, provider, provider_call_id, account_id, status, control_url)
            values (${callId}, ${provider}, ${event.providerCallId}, ${accountId}, 'started', ${event.controlUrl ?? null})
            on conflict (call_id) do nothing returning 1`,
      );
      if (created.length > 0) return finish(tx, provider, event, callId, undefined, accountId, usageWriter, config);
      // Another process's first event of this call committed while we looked: its state is the one to go on.
      known = await lockCall(tx, callId);
      assert(known, "a connector call exists once its insert conflicted");
    }
    return finish(tx, provider, event, callId, known.status, known.account_id, usageWriter, config);
  });
  connectorEventsTotal.inc({ provider, outcome: done.outcome });
  return done;
}

async function finish(
  tx: Tx,
  provider: ProviderName,
  event: CallEvent,
  callId: string,
  status: ConnectorCallStatus | undefined,
  accountId: string,
  usageWriter: UsageWriter,
  config: Config,
): Promise<EventOutcome> {
  const plan = planConnectorEvent(status, event.kind);
  let outcome: EventOutcome;
  switch (plan.kind) {
    case "authorize": {
      const [answer] = await approveCallStarts(tx, config, [{ accountId, callId }]);
      if (answer instanceof AppError) {
        await insertEndedCall(tx, config, accountId, callId, "refused");
        await tx.execute(
          sql`update connector_calls set status = 'refused', refused_reason = ${answer.code}, hangup_requested_at = now(), hangup_reason = ${answer.code}
              where call_id = ${callId}`,
        );
        outcome = { outcome: "refused", callId, hangUp: true };
        break;
      }
      await tx.execute(
        sql`update connector_calls set status = ${plan.answered ? "answered" : "started"}, answered_at = ${plan.answered ? event.answeredAt ?? event.at : null}
            where call_id = ${callId}`,
      );
      outcome = { outcome: "authorized", callId, hangUp: false };
      break;
    }
    case "answer":
      await tx.execute(sql`update connector_calls set status = 'answered', answered_at = ${event.answeredAt ?? event.at} where call_id = ${callId}`);
      outcome = { outcome: "answered", callId, hangUp: false };
      break;
    case "bill_final":
      await billFinal(tx, config, usageWriter, event, callId, accountId, plan.record);
      outcome = { outcome: "billed", callId, hangUp: false };
      break;
    case "nothing":
      outcome = { outcome: "ignored", callId, hangUp: false };
      break;
  }
  await tx.execute(sql`update connector_calls set last_event_at = now(), control_url = coalesce(control_url, ${event.controlUrl ?? null}) where call_id = ${callId}`);
  await tx.execute(sql`update connector_events set outcome = ${outcome.outcome} where provider = ${provider} and event_key = ${event.eventKey}`);
  return outcome;
}

/**
 * The provider's duration is the bill: the final report bills up to it through the usage path
 * (ending the call, releasing its hold); if ticks billed more, the difference is credited back
 * as a usage entry of its own (its key once per call) and the call's totals follow, so a
 * customer never pays for seconds the provider did not count.
 */
async function billFinal(tx: Tx, config: Config, usageWriter: UsageWriter, event: CallEvent, callId: string, accountId: string, record: boolean): Promise<void> {
  const duration = event.durationSeconds ?? 0;
  if (record) await insertEndedCall(tx, config, accountId, callId, "provider");
  // A rebilled call's credit below gives its agency's margin back too: both wallets are locked
  // here first, in account order (the order of every usage batch), before the usage path's locks.
  const [rebilled] = await queryRows<{ margin_account_id: string | null }>(tx, sql`select margin_account_id from calls where id = ${callId}`);
  if (rebilled?.margin_account_id) {
    await tx.execute(sql`select 1 from wallets where account_id in (${accountId}, ${rebilled.margin_account_id}) order by account_id for update`);
  }
  await usageWriter.writeIn(tx, [{ callId, elapsedSeconds: duration, final: true }]);
  const [call] = await queryRows<{ billed_seconds: number; billed_micros: bigint; rate_per_minute_micros: bigint; margin_account_id: string | null; margin_rate_per_minute_micros: bigint | null }>(
    tx,
    sql`update calls set ended_by = case when ended_by = 'refused' then 'refused' else 'provider' end where id = ${callId}
        returning billed_seconds, billed_micros, rate_per_minute_micros, margin_account_id, margin_rate_per_minute_micros`,
  );
  assert(call, "a billed call has its row");
  const over = overshootSeconds(Number(call.billed_seconds), duration);
  if (over > 0) {
    const creditMicros = BigInt(call.billed_micros) - cost(duration, BigInt(call.rate_per_minute_micros));
    if (creditMicros > 0n) {
      const margin =
        call.margin_account_id && call.margin_rate_per_minute_micros !== null
          ? { accountId: call.margin_account_id, shareMicros: marginShare(Number(call.billed_seconds), duration, BigInt(call.margin_rate_per_minute_micros)) }
          : null;
      const batchId = margin ? newId("bat") : null;
      const credit = await postEntry(tx, {
        accountId,
        type: "usage",
        amountMicros: creditMicros,
        entryKey: `usage:${callId}:provider`,
        callId,
        seconds: -over,
        reason: `the provider counted ${duration} s; ${over} s billed ahead of it given back`,
        batchId,
        marginMicros: margin?.shareMicros ?? null,
      });
      // The seconds given back carried the agency's margin: it goes back with them (one entry, same transaction).
      if (credit.applied && margin && margin.shareMicros !== 0n) {
        await postEntry(tx, {
          accountId: margin.accountId,
          type: "rebilling_margin",
          amountMicros: margin.shareMicros,
          entryKey: `rebilling_margin:${batchId}:${margin.accountId}`,
          batchId,
          reason: `call ${callId}: the provider counted ${duration} s; the margin on ${over} s given back`,
        });
      }
    }
    await tx.execute(sql`update calls set billed_seconds = ${duration}, billed_micros = billed_micros - ${creditMicros} where id = ${callId}`);
  }
  await tx.execute(
    sql`update connector_calls set status = case when status = 'refused' then 'refused' else 'ended' end, ended_at = ${event.at},
          provider_duration_seconds = ${duration}, answered_at = coalesce(answered_at, ${event.answeredAt ?? null})
        where call_id = ${callId}`,
  );
}

/**
 * A calls row made ended, holding nothing: for a provider call prepaid never authorised (its
 * end came first, or it was refused), so its bill has a call to post on and History shows it.
 */
async function insertEndedCall(tx: Tx, config: Config, accountId: string, callId: string, endedBy: "provider" | "refused"): Promise<void> {
  const [account] = await queryRows<PricingRow & { web_widget: boolean }>(tx, sql`select a.web_widget, ${PRICING_COLUMNS} from accounts a ${pricingJoin("a")} where a.id = ${accountId}`);
  assert(account, "the call's account exists");
  // Priced as a call started now: its plan's rate, or its agency's resale rate and margin.
  const price = priceFromRow(config.rates, account.web_widget, account);
  await tx.execute(
    sql`insert into calls (id, account_id, rate_per_minute_micros, hold_micros, status, ended_at, ended_by, margin_account_id, margin_rate_per_minute_micros)
        values (${callId}, ${accountId}, ${price.ratePerMinuteMicros}, 0, 'ended', now(), ${endedBy}, ${price.margin?.accountId ?? null}, ${price.margin?.ratePerMinuteMicros ?? null})
        on conflict (id) do nothing`,
  );
}

async function lockCall(tx: Tx, callId: string): Promise<ConnectorCallRow | undefined> {
  const [row] = await queryRows<ConnectorCallRow>(tx, sql`select status, account_id from connector_calls where call_id = ${callId} for update`);
  return row;
}

async function knownAccount(tx: Tx, accountId: string | undefined): Promise<string> {
  if (accountId && (await queryRows(tx, sql`select 1 from accounts where id = ${accountId}`)).length > 0) return accountId;
  throw new UnknownAccount(accountId ? `no account ${accountId}` : "the call names no prepaid_account_id");
}
