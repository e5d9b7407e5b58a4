/**
 * PREPAID_EMBED_ORIGINS: the origins allowed to frame the dashboard (its CSP frame-ancestors)
 * and the only ones it posts to or listens to. Each is `scheme://host[:port]` exactly — a path,
 * a wildcard or a scheme other than http(s) stops the start with the entry's text, since a
 * typo here would either open the page to framing by anyone or silently break the embed.
 */
export function parseEmbedOrigins(text: string | undefined): string[] {
  if (!text || text.trim() === "") return [];
  return text.split(",").map((part) => {
    const entry = part.trim();
    // The list goes into a CSP header: only an origin's own characters may reach it (a `;`
    // would end frame-ancestors and start a directive of the entry's choosing).
    if (!ORIGIN_TEXT.test(entry)) {
      throw new Error(`PREPAID_EMBED_ORIGINS: ${JSON.stringify(entry)} is not an origin like https://app.example.com (scheme, host and optional port only)`);
    }
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`PREPAID_EMBED_ORIGINS: not an origin: ${JSON.stringify(entry)}`);
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || entry.includes("*") || url.origin !== entry.replace(/\/$/, "")) {
      throw new Error(`PREPAID_EMBED_ORIGINS: ${JSON.stringify(entry)} is not an origin like https://app.example.com (no path, no wildcard)`);
    }
    return url.origin;
  });
}

/** scheme://host[:port], the host a DNS name (letters, digits, hyphens, dots) or a bracketed IPv6 address, and an optional trailing slash. */
const ORIGIN_TEXT = /^https?:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?\/?$/;

/** PREPAID_PUBLIC_URL: where session links point; unset, the origin the request came to. */
export function parsePublicUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`PREPAID_PUBLIC_URL is not a URL: ${text}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`PREPAID_PUBLIC_URL must be http(s): ${text}`);
  return url;
}
