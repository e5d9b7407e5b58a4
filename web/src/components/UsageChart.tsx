import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Api } from "../api/client.js";
import type { UsageDay } from "../api/types.js";
import { useResource } from "../api/use-resource.js";
import { usdText } from "../money/display.js";
import { ErrorText } from "./ErrorText.js";

export function UsageChart({ api, accountId, refresh }: { api: Api; accountId: string; refresh: unknown }) {
  const usage = useResource(() => api.get<{ data: UsageDay[] }>(`/v1/accounts/${accountId}/usage`), [accountId, refresh]);
  // The API lists every day of the last 30 (UTC), zeros included.
  const days = usage.data?.data ?? [];
  // Plotting needs numbers: these are for drawing only; the tooltip shows the API's exact decimals.
  const points = days.map((d) => ({ day: d.day.slice(5), minutes: d.seconds / 60, spend: Number(d.cost), cost: d.cost, calls: d.calls }));
  const total = days.reduce((sum, d) => sum + d.seconds, 0);

  return (
    <section className="card" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage, last 30 days</h2>
      <ErrorText error={usage.error} />
      <p className="muted small">
        {(total / 60).toFixed(1)} minutes in {callsText(days.reduce((n, d) => n + d.calls, 0))}
      </p>
      {usage.data && total === 0 ? (
        // An empty grid says nothing; this says why it is empty.
        <p className="muted" data-testid="usage-empty">
          No calls in the last 30 days. Minutes and spend per day appear here once calls are reported.
        </p>
      ) : (
      <div className="chart" role="img" aria-label="Minutes and spend per day over the last 30 days">
        <ResponsiveContainer width="100%" height={240}>
          <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            {/* A tick every 7 days: evenly spaced whatever the width (30 days → 5 ticks). */}
            <XAxis dataKey="day" tick={{ fontSize: 11 }} interval={6} />
            <YAxis yAxisId="minutes" tick={{ fontSize: 11 }} width={40} allowDecimals={false} />
            <YAxis yAxisId="spend" orientation="right" tick={{ fontSize: 11 }} width={48} tickFormatter={(v: number) => `$${v}`} />
            <Tooltip
              contentStyle={{ color: "var(--text)", background: "var(--card)", border: "1px solid var(--line)" }}
              formatter={(value, name, item) =>
                name === "Spend" ? [usdText((item.payload as { cost: string }).cost), name] : [`${Number(value).toFixed(2)} min`, name]
              }
            />
            <Legend />
            <Bar yAxisId="minutes" dataKey="minutes" name="Minutes" fill="#4f6bed" isAnimationActive={false} />
            <Line yAxisId="spend" dataKey="spend" name="Spend" stroke="#e8843c" dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      )}
    </section>
  );
}

/** "1 call", "2 calls". */
const callsText = (n: number) => `${n} ${n === 1 ? "call" : "calls"}`;
