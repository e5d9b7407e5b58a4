import type { Config } from "../config/config.js";
import type { Micros } from "../money/micros.js";

/** The per-minute rate an account pays now: the Web Widget discount is the only variable. */
export function ratePerMinuteMicros(rates: Config["rates"], webWidget: boolean): Micros {
  return webWidget ? rates.withWidgetMicros : rates.withoutWidgetMicros;
}
