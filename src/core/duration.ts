import {UsageError} from './errors.js'

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** Parses "90s", "10m", "24h", "7d" (or a bare number of seconds) into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(text.trim())
  if (!match) {
    throw new UsageError(`Invalid duration '${text}' for ${flag}.`, {
      suggestions: [`Use a number followed by s, m, h or d, for example ${flag} 24h or ${flag} 7d.`],
    })
  }

  const unit = (match[2] || 's').toLowerCase()
  return Math.round(Number(match[1]) * UNIT_MS[unit])
}

/** Renders milliseconds the way people write them: 24h, 30d, 90s. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit] === 0 && ms >= UNIT_MS[unit]) return `${ms / UNIT_MS[unit]}${unit}`
  }

  return `${Math.round(ms / 1000)}s`
}
