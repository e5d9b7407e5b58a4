/**
 * "≈ 3 days 4 h", "≈ 5 h", "under an hour", "none left": a runway in hours (the API's
 * `runway_hours`) as a person reads it; null (no calls in the last 24 hours) says so.
 */
export function runwayText(hours: number | null): string {
  if (hours === null) return "no calls in the last 24 hours";
  if (hours <= 0) return "none left";
  if (hours < 1) return "under an hour";
  const whole = Math.floor(hours);
  if (whole < 48) return `≈ ${whole} h`;
  const days = Math.floor(whole / 24);
  const rest = whole % 24;
  return rest === 0 ? `≈ ${days} days` : `≈ ${days} days ${rest} h`;
}
