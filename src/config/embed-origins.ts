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
