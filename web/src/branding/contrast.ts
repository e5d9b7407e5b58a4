/**
 * WCAG 2.x contrast, for a platform's accent colour (branding): the page never assumes a
 * colour reads well, it computes it. Pure; unit- and property-tested (test/unit/contrast.test.ts).
 */

/** AA for normal text (WCAG 2.x, 1.4.3). */
export const MIN_TEXT_CONTRAST = 4.5;

type Rgb = [number, number, number];

export function parseHex(hex: string): Rgb {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`assertion: not a #RRGGBB colour: ${hex}`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("").toUpperCase()}`;

/** Relative luminance (WCAG 2.x definition). */
export function luminance(hex: string): number {
  const [r, g, b] = parseHex(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour for a fill of `background`: white or black, whichever contrasts more: one of the two is always ≥ 4.58:1 (near-black #111 is not: a mid-grey fill gets 4.35:1 at best). */
export function textOn(background: string): string {
  return contrastRatio(background, "#FFFFFF") >= contrastRatio(background, "#000000") ? "#FFFFFF" : "#000000";
}

/**
 * `accent` as text on `background`: unchanged when it already reads (≥ 4.5:1), else darkened
 * toward black in the fewest steps that make it read — the same hue, as close as it can be.
 * Black on any of our light backgrounds is ≥ 15:1, so the search always ends.
 */
export function readableOn(accent: string, background: string): string {
  if (contrastRatio(accent, background) >= MIN_TEXT_CONTRAST) return accent.toUpperCase();
  const rgb = parseHex(accent);
  // 64 steps of 1/64 toward black: each step changes a channel by at most 4 of 255.
  for (let step = 1; step <= 64; step++) {
    const candidate = toHex(rgb.map((c) => c * (1 - step / 64)) as Rgb);
    if (contrastRatio(candidate, background) >= MIN_TEXT_CONTRAST) return candidate;
  }
  return "#000000";
}

/** The lightest and darkest backgrounds accent-coloured text sits on (styles.css: --card, --info-bg). */
const TEXT_BACKGROUNDS = ["#FFFFFF", "#E8EFFF"];

/**
 * The CSS variables for an accent colour: buttons keep the brand's exact fill with whichever of
 * white or black reads on it; links, tags and switches get the brand colour darkened just
 * enough to read on every background it appears on (≥ 4.5:1).
 */
export function accentVariables(accent: string): Record<string, string> {
  const text = TEXT_BACKGROUNDS.reduce((colour, background) => readableOn(colour, background), accent);
  return { "--accent": text, "--accent-fill": accent.toUpperCase(), "--accent-fill-text": textOn(accent) };
}
