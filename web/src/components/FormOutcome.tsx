import { ErrorText } from "./ErrorText.js";

/** What a form's last action came to: its error (as ErrorText says it), or what it did, announced as a status. */
export function FormOutcome({ error, done }: { error: Error | undefined; done: string | undefined }) {
  return (
    <>
      <ErrorText error={error} />
      {done && (
        <p role="status" className="ok">
          {done}
        </p>
      )}
    </>
  );
}
