const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Why a webhook URL's form is refused, or undefined when it is fine. Events carry account and
 * payment data, so they travel over HTTPS; plain HTTP is allowed only to this machine, and
 * only where private addresses are (PREPAID_WEBHOOK_ALLOW_PRIVATE, for development and tests).
 * Credentials in the URL would be stored and logged: refused. Where the host resolves is
 * outbound-guard.ts's to check.
 */
export function endpointUrlProblem(text: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a URL";
  }
  if (url.username || url.password) return "must not contain a user name or password";
  if (url.hash) return "must not contain a #fragment";
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) {
    if (allowPrivate) return undefined;
    // The real reason is not the scheme: this machine's addresses are refused at all.
    return "points to this machine (127.0.0.1, localhost, [::1]): webhooks reach only public addresses here; the operator allows this machine and private networks for development with PREPAID_WEBHOOK_ALLOW_PRIVATE=true";
  }
  if (url.protocol === "http:") return "must be https:// (events carry account and payment data; plain http:// is only for this machine, in development)";
  return "must be an https:// URL";
}
