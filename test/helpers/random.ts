/**
 * A small seeded pseudo-random generator for the differential tests (SQL fast path against the
 * core rule on random data). The seed comes from ATPCTL_TEST_SEED when set, so a failure can be
 * replayed exactly; every failure message carries it.
 */
export interface Random {
  readonly seed: number
  /** A float in [0, 1). */
  next(): number
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  chance(p: number): boolean
  /** A random subset, in random order. */
  subset<T>(items: readonly T[], p?: number): T[]
}

/** mulberry32: 32 bits of state, good enough to shuffle test data, identical on every platform. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }

  const r: Random = {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
    subset(items, p = 0.5) {
      const chosen = items.filter(() => next() < p)
      for (let i = chosen.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        ;[chosen[i], chosen[j]] = [chosen[j], chosen[i]]
      }

      return chosen
    },
  }
  return r
}

/** The seed of this run: ATPCTL_TEST_SEED, else a fixed default per test file (reproducible CI). */
export function testSeed(fallback: number): number {
  const given = process.env.ATPCTL_TEST_SEED
  return given === undefined || given === '' ? fallback : Number(given) >>> 0
}

/**
 * Runs `check` and, when it throws, rethrows with the seed and the case in the message, so the
 * failure can be replayed with ATPCTL_TEST_SEED=<seed>.
 */
export async function withSeed<T>(seed: number, label: string, check: () => T | Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new Error(`[seed ${seed}; replay with ATPCTL_TEST_SEED=${seed}] ${label}\n${message}`)
  }
}
