import {UsageError} from './errors.js'

const UNIT_MS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/**
 * Parses "90s", "10m", "24h", "7d" into milliseconds. A bare number is refused: `--ttl 30` meant
 * 30 seconds to the code and 30 minutes, hours or days to the person who typed it.
 */
export function parseDuration(text: string, flag: string): number {
  const bare = /^\d+(?:\.\d+)?$/.exec(text.trim())
  if (bare) {
    const n = bare[0]
    throw new UsageError(`The duration '${text}' for ${flag} has no unit.`, {
      suggestions: [`Did you mean ${n}m, ${n}h or ${n}d? Write the unit: s, m, h or d (for example ${flag} ${n}s for seconds).`],
    })
  }

  const match = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(text.trim())
  if (!match) {
    throw new UsageError(`Invalid duration '${text}' for ${flag}.`, {
      suggestions: [`Use a number followed by s, m, h or d, for example ${flag} 24h or ${flag} 7d.`],
    })
  }

  const unit = match[2].toLowerCase()
  return Math.round(Number(match[1]) * UNIT_MS[unit])
}

/** Renders milliseconds the way people write them: 24h, 30d, 90s. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit] === 0 && ms >= UNIT_MS[unit]) return `${ms / UNIT_MS[unit]}${unit}`
  }

  return `${Math.round(ms / 1000)}s`
}
