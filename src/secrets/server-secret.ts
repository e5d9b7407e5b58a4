import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { randomBase62 } from "../ids/prefixed-id.js";

/**
 * The server secret: PREPAID_SECRET, or else one generated at the first start and kept beside
 * the data in `<dataDir>/server-secret` (mode 0600, written whole and then linked into place,
 * so a kill while writing leaves no torn file). Every process of a deployment must share it: API keys,
 * fingerprints and sealed values made under one secret do not open under another. With
 * DATABASE_URL set, processes on other machines do not share a data directory, so the caller
 * warns until PREPAID_SECRET is set.
 */
export function serverSecret(envSecret: string | undefined, dataDir: string): { secret: string; source: "env" | "file" } {
  if (envSecret) return { secret: envSecret, source: "env" };
  const path = join(dataDir, "server-secret");
  try {
    const stored = readFileSync(path, "utf8").trim();
    if (stored.length >= 32) return { secret: stored, source: "file" };
    unlinkSync(path); // torn or edited: made again below
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBase62(48);
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, `${secret}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // link, not rename: it fails when the file exists, so of two first starts racing, the second
  // finds the first one's secret instead of replacing it after the first began to use it.
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temporary);
  }
  return { secret: readFileSync(path, "utf8").trim(), source: "file" };
}
