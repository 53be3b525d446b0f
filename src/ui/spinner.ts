/** The subset of ora the commands use. */
export interface Spinner {
  start(text?: string): Spinner
  succeed(text?: string): Spinner
  fail(text?: string): Spinner
  stop(): Spinner
  text: string
}

const silent: Spinner = {
  text: '',
  start() {
    return silent
  },
  succeed() {
    return silent
  },
  fail() {
    return silent
  },
  stop() {
    return silent
  },
}

/**
 * A spinner on stderr, only on a real terminal: ora loops forever on a terminal that reports
 * 0 columns (some CI pseudo-terminals), and ora's disabled mode still prints lines.
 */
export async function createSpinner(text: string, enabled: boolean): Promise<Spinner> {
  if (!enabled || !process.stderr.isTTY || (process.stderr.columns ?? 0) <= 0) return silent
  const {default: ora} = await import('ora')
  return ora({text, stream: process.stderr}) as unknown as Spinner
}
