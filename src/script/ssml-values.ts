/**
 * The values SSML attributes take, read as numbers. Each reader returns undefined for a value it
 * does not understand, so the caller can say where it stands in the script.
 */

/** `<break strength>` in milliseconds, as Azure renders them (W3C leaves them to the processor). */
export const BREAK_STRENGTHS: Readonly<Record<string, number>> = {
  none: 0,
  'x-weak': 250,
  weak: 500,
  medium: 750,
  strong: 1000,
  'x-strong': 1250,
};

/**
 * `<prosody rate>` names as speed factors. W3C SSML 1.1 only says they do not decrease from x-slow
 * to x-fast and leaves the values to the processor; these keep every step audible while staying
 * inside the 0.5–2 range Azure and Polly accept for rates.
 */
export const PROSODY_RATES: Readonly<Record<string, number>> = {
  'x-slow': 0.5,
  slow: 0.75,
  medium: 1,
  default: 1,
  fast: 1.25,
  'x-fast': 1.75,
};

const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)`;

/** A time designation ("750ms", "1.5s", ".5s") in whole milliseconds. */
export function parseTime(value: string): number | undefined {
  const m = new RegExp(`^${NUMBER}\\s*(ms|s)$`, 'i').exec(value.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2]!.toLowerCase() === 's' ? 1000 : 1);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/**
 * A rate as a factor of the normal speed: a name, a percentage of it ("150%", as W3C defines it),
 * a relative change ("+20%", "-10%"), or a plain multiplier ("1.5", as Azure reads a number).
 * Azure reads an unsigned percentage as a change too; W3C's reading is kept, since the input is
 * SSML and "150%" meaning two and a half times would surprise anyone who read the standard.
 */
export function parseRate(value: string): number | undefined {
  const v = value.trim().toLowerCase();
  const named = PROSODY_RATES[v];
  if (named !== undefined) return named;
  const percent = new RegExp(`^([+-]?)${NUMBER}%$`).exec(v);
  const plain = new RegExp(`^${NUMBER}$`).exec(v);
  let factor: number | undefined;
  if (percent) {
    const amount = Number(percent[2]) / 100;
    factor = percent[1] === '+' ? 1 + amount : percent[1] === '-' ? 1 - amount : amount;
  } else if (plain) {
    factor = Number(plain[1]);
  }
  return factor !== undefined && Number.isFinite(factor) && factor > 0 ? factor : undefined;
}
