/**
 * Faults the sandbox injects for resilience tests, as probabilities per charge: `error`
 * fails before charging (a 5xx), `errorAfter` charges and then fails to answer (a 5xx the
 * caller cannot tell from the first), `slow` answers after `slowMs` (past the worker's
 * timeout). From PREPAID_SANDBOX_FAULTS, e.g. "error=0.2,error_after=0.2,slow=0.1,slow_ms=500".
 */
export interface SandboxFaults {
  error: number;
  errorAfter: number;
  slow: number;
  slowMs: number;
}

export const NO_FAULTS: SandboxFaults = { error: 0, errorAfter: 0, slow: 0, slowMs: 0 };

export function parseSandboxFaults(text: string | undefined): SandboxFaults {
  if (!text) return NO_FAULTS;
  const faults = { ...NO_FAULTS };
  for (const part of text.split(",")) {
    const [name, value] = part.split("=").map((x) => x.trim());
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) throw new Error(`PREPAID_SANDBOX_FAULTS: bad value in ${JSON.stringify(part)}`);
    if (name === "error") faults.error = number;
    else if (name === "error_after") faults.errorAfter = number;
    else if (name === "slow") faults.slow = number;
    else if (name === "slow_ms") faults.slowMs = number;
    else throw new Error(`PREPAID_SANDBOX_FAULTS: unknown fault ${JSON.stringify(name)}`);
  }
  if (faults.error + faults.slow + faults.errorAfter > 1) throw new Error("PREPAID_SANDBOX_FAULTS: probabilities add up to more than 1");
  return faults;
}
