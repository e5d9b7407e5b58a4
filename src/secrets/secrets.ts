import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

const SEAL_VERSION = "v1";

/**
 * The server secret's uses, each with a key of its own derived by HKDF: keyed fingerprints
 * (API keys, idempotency fingerprints — an unsalted hash of a key or a card is reversible by
 * trying candidates; an HMAC without the secret is not) and sealing (AES-256-GCM) of what must
 * be read back: stored answers that carry a secret, webhook signing secrets.
 */
export class Secrets {
  private readonly macKey: Buffer;
  private readonly sealKey: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error("PREPAID_SECRET must be at least 32 characters");
    this.macKey = Buffer.from(hkdfSync("sha256", secret, "prepaid", "mac", 32));
    this.sealKey = Buffer.from(hkdfSync("sha256", secret, "prepaid", "seal", 32));
  }

  /** HMAC-SHA256 of `text` for one purpose (a key's hash cannot stand for a fingerprint), hex. */
  mac(purpose: string, text: string): string {
    return createHmac("sha256", this.macKey).update(purpose).update("\0").update(text).digest("hex");
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; a fresh 96-bit IV each time. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [SEAL_VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
  }

  /** The plain text, or undefined when it was sealed under another secret or altered. */
  open(sealed: string): string | undefined {
    const [version, iv, tag, body] = sealed.split(".");
    if (version !== SEAL_VERSION || !iv || !tag || body === undefined) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.sealKey, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }
}
