import { useEffect, useRef, useState, type ReactNode } from "react";

/**
 * A table that may be wider than the screen (375 px phones): a focusable region a keyboard can
 * scroll (axe: scrollable-region-focusable) that says so when columns are out of view, instead
 * of clipping them with no cue.
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  const region = useRef<HTMLDivElement>(null);
  const [clipped, setClipped] = useState(false);
  useEffect(() => {
    const element = region.current;
    if (!element) return;
    const measure = () => setClipped(element.scrollWidth > element.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <>
      {clipped && (
        <p className="muted small scroll-hint" data-testid="scroll-hint">
          Scroll sideways to see every column →
        </p>
      )}
      <div ref={region} className={`table-wrap${clipped ? " clipped" : ""}`} tabIndex={0} role="region" aria-label={label}>
        {children}
      </div>
    </>
  );
}
