import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/database.js";
import type { Micros } from "../../money/micros.js";

export interface UsageDay {
  day: string;
  seconds: number;
  calls: number;
  costMicros: Micros;
}

const DAY_MS = 86_400_000;

/** Usage per UTC day from the ledger's usage entries, every day of [from, to] listed, zeros included. */
export async function usageByDay(tx: Tx, accountId: string, from: string, to: string): Promise<UsageDay[]> {
  const rows = await queryRows<{ day: string; seconds: bigint | null; calls: bigint; cost_micros: bigint }>(
    tx,
    sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day,
               sum(seconds)::bigint as seconds, count(distinct call_id) as calls, (-sum(amount_micros))::bigint as cost_micros
        from ledger_entries
        where account_id = ${accountId} and type = 'usage'
          and created_at >= ${from}::date at time zone 'UTC'
          and created_at < (${to}::date + 1) at time zone 'UTC'
        group by 1`,
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const days: UsageDay[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const row = byDay.get(day);
    days.push({
      day,
      seconds: Number(row?.seconds ?? 0n),
      calls: Number(row?.calls ?? 0n),
      costMicros: BigInt(row?.cost_micros ?? 0n),
    });
  }
  return days;
}
