import { formatCents, formatMicros, MICROS_PER_CENT, type Micros } from "../money/micros.js";
import { minutesAvailable } from "../money/rating.js";
import { cardLabel } from "../payments/card-label.js";

export const NOTIFICATION_TYPES = [
  "recharge.succeeded",
  "recharge.failed",
  "balance.low",
  "account.paused",
  "account.resumed",
  "auto_recharge.updated",
  "auto_recharge.limit_reached",
  "balance.alert",
  "balance.recovered",
  "refund.succeeded",
  "dispute.opened",
  "dispute.closed",
  "call.wrap_up",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

type Card = { brand: string; last4: string } | null;

/** An automatic charge declined on the primary card, which a backup card's charge followed. */
interface Declined {
  card: Card;
  failureCode: string;
  failureMessage: string;
}

/**
 * "$12.40", "−$10.13": a balance in words a customer reads, in whole cents cut toward zero (as
 * the page's headline balance: never more than is there), the sign before the dollar. The exact
 * micro-dollars stay in the payload's fields.
 */
function dollars(micros: Micros): string {
  return micros < 0n ? `−$${wholeCents(-micros)}` : `$${wholeCents(micros)}`;
}

/** 39_866_666n → "39.86" (toward zero). */
const wholeCents = (micros: Micros) => formatCents((micros / MICROS_PER_CENT) * MICROS_PER_CENT);

/**
 * What happened, as facts (amounts in micros): the money paths say this, and this module alone
 * turns it into words — the feed's message, the webhook payload's `data`, and the title an
 * email's subject starts with.
 */
export type NotificationEvent =
  | {
      type: "recharge.succeeded";
      rechargeId: string;
      trigger: string;
      amountMicros: Micros;
      balanceMicros: Micros;
      ratePerMinuteMicros: Micros;
      paymentMethodId: string;
      /** The card charged, as saved then (null: no longer found). */
      card: Card;
      /** A backup card's charge: the primary's decline it followed. */
      afterDecline?: Declined | null;
    }
  | {
      type: "recharge.failed";
      rechargeId: string;
      trigger: string;
      amountMicros: Micros;
      paymentMethodId: string;
      card: Card;
      failureCode: string;
      /** Our words for the code, and what to do next (failureAdvice). */
      failureMessage: string;
      nextStep: string;
      /** The provider's own words, kept for support. */
      providerMessage: string;
      /** A backup card's charge that failed too: the primary's decline it followed. */
      afterDecline?: Declined | null;
    }
  | {
      /** Money given back on a charge: the operator's refund, or one made at the provider. */
      type: "refund.succeeded";
      refundId: string;
      rechargeId: string;
      amountMicros: Micros;
      balanceMicros: Micros;
      reason: string;
    }
  | {
      /** The card holder disputed a charge with their bank: the money is taken back while it is open. */
      type: "dispute.opened";
      disputeId: string;
      rechargeId: string;
      amountMicros: Micros;
      /** What came off the balance (less than the amount when refunds took that money already). */
      reversedMicros: Micros;
      balanceMicros: Micros;
      card: Card;
    }
  | {
      type: "dispute.closed";
      disputeId: string;
      rechargeId: string;
      outcome: "won" | "lost";
      reversedMicros: Micros;
      /** What a won dispute gave back: what it took, less refunds paid to the card while it was open. */
      returnedMicros: Micros;
      balanceMicros: Micros;
    }
  | { type: "balance.low"; balanceMicros: Micros; thresholdMicros: Micros; autoRechargeEnabled: boolean; reason: string | null }
  | { type: "account.paused"; balanceMicros: Micros; failureCode: string | null; failureMessage: string | null }
  | { type: "account.resumed"; balanceMicros: Micros }
  | {
      /** A provider's call prepaid meters is about to run out of credit (it hangs it up at the end). */
      type: "call.wrap_up";
      callId: string;
      provider: string;
      providerCallId: string;
      secondsRemaining: number;
      balanceMicros: Micros;
    }
  | {
      /** The balance fell below one of the account's alert levels (or recovered above it). */
      type: "balance.alert" | "balance.recovered";
      /** The level as the account set it: `{below: "20.00"}` or `{below_minutes: "60"}`. */
      level: { below: string } | { below_minutes: string };
      /** Its dollar value now (a minutes level's moves with the rate). */
      levelMicros: Micros;
      balanceMicros: Micros;
      ratePerMinuteMicros: Micros;
    }
  | {
      type: "auto_recharge.updated";
      enabled: boolean;
      thresholdMicros: Micros;
      amountMicros: Micros;
      /** Target mode charges what lifts the balance to the target, not the amount. */
      targetMicros: Micros | null;
      monthlyLimitMicros: Micros | null;
      triggered: { id: string; amountMicros: Micros } | null;
    }
  | {
      type: "auto_recharge.limit_reached";
      reason: "daily_count" | "monthly_limit";
      amountMicros: Micros;
      balanceMicros: Micros;
      maxAutomaticChargesPer24h: number;
      monthlyLimitMicros: Micros | null;
    };

export interface NotificationText {
  message: string;
  data: Record<string, unknown>;
}

const cardName = (card: Card) => (card ? cardLabel(card) : "your card");

/** The feed's message and the payload's data of an event. Pure. */
export function notificationText(event: NotificationEvent): NotificationText {
  switch (event.type) {
    case "recharge.succeeded":
      return {
        message:
          (event.afterDecline
            ? `${cardName(event.afterDecline.card)} was declined (${event.afterDecline.failureMessage}), so your backup card was charged instead. `
            : "") +
          `Receipt: $${formatCents(event.amountMicros)} charged to ${cardName(event.card)}. ` +
          `New balance ${dollars(event.balanceMicros)} (≈ ${minutesAvailable(event.balanceMicros, event.ratePerMinuteMicros)} minutes at ${dollars(event.ratePerMinuteMicros)}/min).`,
        data: {
          recharge_id: event.rechargeId,
          amount: formatCents(event.amountMicros),
          balance: formatMicros(event.balanceMicros),
          trigger: event.trigger,
          payment_method_id: event.paymentMethodId,
          after_decline: event.afterDecline ? { card: cardName(event.afterDecline.card), failure_code: event.afterDecline.failureCode } : null,
        },
      };
    case "recharge.failed":
      return {
        message: event.afterDecline
          ? `Auto-Recharge of $${formatCents(event.amountMicros)} failed on both cards: ${cardName(event.afterDecline.card)} was declined (${event.afterDecline.failureMessage}) ` +
            `and the backup card ${cardName(event.card)} failed too: ${event.failureMessage} ${event.nextStep}`
          : `${event.trigger === "manual" ? "Top-up" : "Auto-Recharge"} of $${formatCents(event.amountMicros)} on ${cardName(event.card)} failed: ${event.failureMessage} ${event.nextStep}`,
        data: {
          recharge_id: event.rechargeId,
          amount: formatCents(event.amountMicros),
          failure_code: event.failureCode,
          failure_message: event.failureMessage,
          provider_message: event.providerMessage,
          after_decline: event.afterDecline ? { card: cardName(event.afterDecline.card), failure_code: event.afterDecline.failureCode } : null,
          trigger: event.trigger,
          next_step: event.nextStep,
          payment_method_id: event.paymentMethodId,
        },
      };
    case "refund.succeeded":
      return {
        message: `Refund: $${formatCents(event.amountMicros)} of a card payment was given back to your card (${event.reason}). New balance ${dollars(event.balanceMicros)}.`,
        data: {
          refund_id: event.refundId,
          recharge_id: event.rechargeId,
          amount: formatCents(event.amountMicros),
          balance: formatMicros(event.balanceMicros),
          reason: event.reason,
        },
      };
    case "dispute.opened":
      return {
        message:
          `A card payment of $${formatCents(event.amountMicros)} was disputed with the bank${event.card ? ` (${cardLabel(event.card)})` : ""}: ` +
          `${dollars(event.reversedMicros)} was taken off your balance while the dispute is open. New balance ${dollars(event.balanceMicros)}. ` +
          "Auto-Recharge will not charge that card until the dispute is closed; add another card to keep it on.",
        data: {
          dispute_id: event.disputeId,
          recharge_id: event.rechargeId,
          amount: formatCents(event.amountMicros),
          reversed: formatMicros(event.reversedMicros),
          balance: formatMicros(event.balanceMicros),
        },
      };
    case "dispute.closed":
      return {
        message:
          event.outcome === "won"
            ? `The dispute of a card payment was decided in your favour: ${dollars(event.returnedMicros)} is back on your balance` +
              (event.returnedMicros < event.reversedMicros ? ` (${dollars(event.reversedMicros - event.returnedMicros)} of it was refunded to your card meanwhile)` : "") +
              `. New balance ${dollars(event.balanceMicros)}.`
            : `The dispute of a card payment is closed and the bank kept the money: the ${dollars(event.reversedMicros)} taken off your balance stays off. Balance ${dollars(event.balanceMicros)}.`,
        data: {
          dispute_id: event.disputeId,
          recharge_id: event.rechargeId,
          outcome: event.outcome,
          reversed: formatMicros(event.reversedMicros),
          returned: formatMicros(event.returnedMicros),
          balance: formatMicros(event.balanceMicros),
        },
      };
    case "balance.low":
      return {
        message:
          `Your balance of ${dollars(event.balanceMicros)} is below your threshold of $${formatCents(event.thresholdMicros)} ` +
          `and Auto-Recharge ${event.autoRechargeEnabled ? "cannot top it up" : "is off"}. Add credit to keep calls running.`,
        data: { balance: formatMicros(event.balanceMicros), threshold: formatCents(event.thresholdMicros), reason: event.reason },
      };
    case "account.paused":
      return {
        message:
          `Your account is paused: Auto-Recharge is failing (${event.failureMessage ?? "payment failed"}) and the balance ` +
          `of ${dollars(event.balanceMicros)} no longer covers a minute. New calls are refused until you update your card or add credit.`,
        data: { balance: formatMicros(event.balanceMicros), failure_code: event.failureCode },
      };
    case "call.wrap_up":
      return {
        message:
          `Call ${event.providerCallId} on ${event.provider} has about ${event.secondsRemaining} seconds of credit left ` +
          `(balance ${dollars(event.balanceMicros)}). It will be hung up when the credit runs out unless credit is added.`,
        data: {
          call_id: event.callId,
          provider: event.provider,
          provider_call_id: event.providerCallId,
          seconds_remaining: String(event.secondsRemaining),
          balance: formatMicros(event.balanceMicros),
        },
      };
    case "account.resumed":
      return {
        message: `Your account is active again. Balance: ${dollars(event.balanceMicros)}.`,
        data: { balance: formatMicros(event.balanceMicros) },
      };
    case "auto_recharge.updated":
      return {
        message: event.enabled
          ? (event.targetMicros === null
              ? `Auto-Recharge is on: when your balance falls below $${formatCents(event.thresholdMicros)}, $${formatCents(event.amountMicros)} is charged to your card.`
              : `Auto-Recharge is on: when your balance falls below $${formatCents(event.thresholdMicros)}, your card is charged what brings it back to $${formatCents(event.targetMicros)}.`) +
            (event.triggered ? ` Your balance is below the threshold, so $${formatCents(event.triggered.amountMicros)} is being charged now.` : "")
          : "Auto-Recharge is off.",
        data: {
          enabled: event.enabled,
          threshold: formatCents(event.thresholdMicros),
          amount: formatCents(event.amountMicros),
          mode: event.targetMicros === null ? "fixed" : "target",
          target: event.targetMicros === null ? null : formatCents(event.targetMicros),
          monthly_limit: event.monthlyLimitMicros === null ? null : formatCents(event.monthlyLimitMicros),
          triggered_recharge_id: event.triggered?.id ?? null,
        },
      };
    case "balance.alert":
    case "balance.recovered": {
      const level = "below" in event.level ? dollars(event.levelMicros) : `${event.level.below_minutes} minutes (${dollars(event.levelMicros)})`;
      const left = `${dollars(event.balanceMicros)}, ≈ ${minutesAvailable(event.balanceMicros, event.ratePerMinuteMicros)} minutes at ${dollars(event.ratePerMinuteMicros)}/min`;
      return {
        message:
          event.type === "balance.alert"
            ? `Your balance fell below ${level}: ${left} left. Add funds or turn on Auto-Recharge so calls keep running.`
            : `Your balance is back above ${level}: ${left}.`,
        data: {
          level: event.level,
          level_amount: formatMicros(event.levelMicros),
          balance: formatMicros(event.balanceMicros),
          minutes: minutesAvailable(event.balanceMicros, event.ratePerMinuteMicros),
        },
      };
    }
    case "auto_recharge.limit_reached": {
      const why =
        event.reason === "daily_count"
          ? `the limit of ${event.maxAutomaticChargesPer24h} automatic charges in 24 hours was reached`
          : `it would exceed your monthly limit of $${formatCents(event.monthlyLimitMicros ?? 0n)}`;
      return {
        message: `Auto-Recharge of $${formatCents(event.amountMicros)} was not made: ${why}. Balance: ${dollars(event.balanceMicros)}. Add credit manually or raise the limit.`,
        data: { reason: event.reason, amount: formatCents(event.amountMicros), balance: formatMicros(event.balanceMicros) },
      };
    }
  }
}

const TITLES: Record<NotificationType, (data: Record<string, unknown>) => string> = {
  "recharge.succeeded": (d) => `Receipt: $${String(d.amount)} added to your prepaid balance`,
  "recharge.failed": (d) => (d.trigger === "manual" ? "Your top-up payment failed" : "Action needed: your Auto-Recharge payment failed"),
  "balance.low": () => "Your prepaid balance is low",
  "account.paused": () => "Your account is paused: new calls are refused",
  "account.resumed": () => "Your account is active again",
  "call.wrap_up": () => "A call is about to run out of credit",
  "auto_recharge.updated": () => "Your Auto-Recharge settings changed",
  "auto_recharge.limit_reached": () => "Auto-Recharge stopped at your limit",
  "balance.alert": (d) => `Balance alert: below $${String(d.level_amount)}`,
  "balance.recovered": (d) => `Your balance is back above $${String(d.level_amount)}`,
  "refund.succeeded": (d) => `Refund: $${String(d.amount)} given back to your card`,
  "dispute.opened": (d) => `A card payment of $${String(d.amount)} was disputed`,
  "dispute.closed": (d) => (d.outcome === "won" ? "Dispute won: the payment counts again" : "Dispute closed: the bank kept the payment"),
};

/** A notification's human title (an email's subject), from what was stored of it. */
export function notificationTitle(type: NotificationType, data: Record<string, unknown>): string {
  return TITLES[type](data);
}
