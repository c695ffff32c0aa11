/**
 * Command-line numbers of the benches: `--name value` read as a number within bounds, or an error
 * naming the option and its range (with the bench's usage text when it has one).
 */
export function numberOption(name: string, raw: string, min: number, max: number, opts: { integer?: boolean; usage?: string } = {}): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (opts.integer && !Number.isInteger(n))) {
    throw new Error(`--${name} ${raw}: must be ${opts.integer ? 'an integer ' : ''}from ${min} to ${max}${opts.usage ? `\n${opts.usage}` : ''}`);
  }
  return n;
}
