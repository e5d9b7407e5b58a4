import PDFDocument from "pdfkit";
import { formatCents, MICROS_PER_CENT } from "../money/micros.js";
import { receiptNumberText, type Receipt } from "./receipts.js";

const TRIGGER_WORDS: Record<Receipt["trigger"], string> = {
  manual: "Prepaid calling credit, added by hand",
  auto: "Prepaid calling credit, Auto-Recharge",
  threshold_sync: "Prepaid calling credit, Auto-Recharge (threshold raised)",
};

/**
 * The standard PDF fonts (no font file to ship) write Windows-1252 only: any other character
 * (a name in another script) is printed as "?" rather than as a wrong glyph.
 */
function printable(text: string): string {
  return [...text].map((ch) => (/^[\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]$/.test(ch) ? ch : "?")).join("");
}

const cardText = (card: Receipt["card"]) => (card ? `${card.brand[0]!.toUpperCase()}${card.brand.slice(1)} \u2022\u2022\u2022\u2022 ${card.last4}` : "card on file");
const dateText = (iso: string) => new Date(iso).toLocaleString("en-US", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" }) + " UTC";

/**
 * The receipt as a one-page PDF (docs/concepts.md): the operator, the receipt's number, the date
 * paid, who paid, what for, the amount, the card and the balance right after. Made with
 * pdfkit's built-in Helvetica; the document's dates are the payment's, so the same receipt
 * renders the same text every time.
 */
export function receiptPdf(receipt: Receipt): Promise<Buffer> {
  const number = receiptNumberText(receipt.number);
  const paidAt = new Date(receipt.paidAt);
  const doc = new PDFDocument({
    size: "A4",
    margin: 56,
    info: { Title: `Receipt ${number}`, Author: printable(receipt.operator), Subject: `Payment ${receipt.rechargeId}`, Producer: "prepaid", Creator: "prepaid", CreationDate: paidAt, ModDate: paidAt },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  doc.font("Helvetica-Bold").fontSize(22).text(printable(receipt.operator));
  doc.moveDown(0.3).font("Helvetica").fontSize(12).fillColor("#444444").text(`Receipt ${number}`);
  doc.moveDown(1.5).fillColor("#000000");
  const rows: Array<[string, string]> = [
    ["Receipt number", number],
    ["Date paid", dateText(receipt.paidAt)],
    ["Billed to", printable(`${receipt.accountName} (${receipt.accountId})`)],
    ["Description", TRIGGER_WORDS[receipt.trigger]],
    ["Amount paid", `$${formatCents(receipt.amountMicros)} USD`],
    ["Paid with", printable(cardText(receipt.card))],
    // Whole cents, cut toward zero, like every balance a customer reads; the exact figure is in the API.
    ["Balance after payment", `${receipt.balanceAfterMicros < 0n ? "−" : ""}$${formatCents(((receipt.balanceAfterMicros < 0n ? -receipt.balanceAfterMicros : receipt.balanceAfterMicros) / MICROS_PER_CENT) * MICROS_PER_CENT)} USD`],
    ["Payment reference", receipt.rechargeId],
  ];
  for (const [label, value] of rows) {
    const y = doc.y;
    doc.font("Helvetica-Bold").fontSize(11).text(label, 56, y, { width: 170 });
    doc.font("Helvetica").fontSize(11).text(value, 236, y, { width: 300 });
    doc.moveDown(0.6);
  }
  doc.moveDown(2).font("Helvetica").fontSize(9).fillColor("#666666").text(
    printable(`Prepaid credit is spent by calls at the rate per minute in force. This receipt was issued by ${receipt.operator}; keep it for your records.`),
    56,
    doc.y,
    { width: 480 },
  );
  doc.end();
  return done;
}
