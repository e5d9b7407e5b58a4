import { describe, expect, it } from "vitest";
import { expiringSoon } from "../../web/src/grants/expiring-soon.js";
import type { Grant } from "../../web/src/api/types.js";

const now = new Date("2026-12-03T12:00:00Z");
const grant = (id: string, status: Grant["status"], expiresAt: string | null): Grant => ({
  id,
  account_id: "acct_a",
  category: "promotional",
  amount: "5.00",
  remaining: status === "active" ? "5.00" : "0.00",
  reason: "trial",
  expires_at: expiresAt,
  status,
  expired: status === "expired" ? "5.00" : null,
  created_at: "2026-12-01T00:00:00Z",
});

describe("expiringSoon: the dashboard's notice a few days before credit expires", () => {
  it("names active grants expiring within three days, soonest first, and nothing else", () => {
    const grants = [
      grant("grt_in_3d", "active", "2026-12-06T12:00:00.000Z"),
      grant("grt_after_3d", "active", "2026-12-06T12:00:01.000Z"),
      grant("grt_tomorrow", "active", "2026-12-04T09:00:00.000Z"),
      grant("grt_never", "active", null),
      grant("grt_spent", "spent", "2026-12-04T00:00:00.000Z"),
      grant("grt_expired", "expired", "2026-12-02T00:00:00.000Z"),
    ];
    expect(expiringSoon(grants, now).map((g) => g.id)).toEqual(["grt_tomorrow", "grt_in_3d"]);
  });
});
