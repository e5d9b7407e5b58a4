import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.js";

describe("log redaction", () => {
  it("censors credentials, cards, emails, headers and bodies wherever a later log call puts them", () => {
    let written = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const logger = createLogger("info", false, sink);
    logger.info(
      {
        authorization: "Bearer ppk_top",
        key: "ppk_secret_key",
        token: "pps_secret_token",
        card: { number: "4242424242424242", cvc: "123" },
        req: { headers: { authorization: "Bearer ppk_nested" }, body: '{"card":{"number":"4000000000000002"}}' },
        account: { email: "someone@example.test" },
        request_id: "req_kept",
        status: 400,
      },
      "request",
    );
    const line = JSON.parse(written) as Record<string, any>;
    for (const secret of ["ppk_top", "ppk_secret_key", "pps_secret_token", "4242424242424242", '"123"', "ppk_nested", "4000000000000002", "someone@example.test"]) {
      expect(written).not.toContain(secret);
    }
    expect(line).toMatchObject({ authorization: "[redacted]", key: "[redacted]", token: "[redacted]", card: "[redacted]", request_id: "req_kept", status: 400 });
    expect(line.req).toMatchObject({ headers: "[redacted]", body: "[redacted]" });
    expect(line.account).toEqual({ email: "[redacted]" });
  });
});
