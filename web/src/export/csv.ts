/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; quotes doubled. */
function field(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  // A leading = + - @ makes spreadsheets run the cell as a formula; a quote mark defuses it.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows to CSV text with a header line; amounts stay the API's decimal strings, exactly. */
export function toCsv<T>(columns: { header: string; value: (row: T) => string | number | null | undefined }[], rows: T[]): string {
  const lines = [columns.map((c) => field(c.header)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => field(c.value(row))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
