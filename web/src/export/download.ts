/** Hands a file to the browser as a download: CSV text, or a file the API sent (a receipt). */
export function download(filename: string, content: string | Blob): void {
  const url = URL.createObjectURL(typeof content === "string" ? new Blob([content], { type: "text/csv;charset=utf-8" }) : content);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
