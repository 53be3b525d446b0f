/**
 * The zip-bomb limits for package archives: one set, applied alike by `package inspect` and
 * `package extract` (and everything that inspects a package: policies, the sensor) before any
 * entry is inflated. Real packages are a few files and a few hundred KiB; these leave a wide
 * margin. The declared sizes are checked here; the reader then holds every entry to its
 * declared size while it streams, so a lying header cannot get past either.
 */
export interface PackageLimits {
  maxEntries: number
  /** Sum of the uncompressed sizes. */
  maxTotalBytes: number
  /** Largest uncompressed/compressed ratio for an entry of at least 1 MiB, and for the whole archive. */
  maxRatio: number
}

/** Room for the 200 MB stress archive of the benchmark (about 2,800 entries, 270 MB inflated). */
export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {maxEntries: 10_000, maxTotalBytes: 512 * 1024 * 1024, maxRatio: 100}

const RATIO_FLOOR = 1024 * 1024

interface Sized {
  name: string
  isDirectory: boolean
  compressedSize: number
  uncompressedSize: number
}

/** Why the archive breaks a limit (a sentence fragment), or null when it is within them all. */
export function archiveLimitViolation(entries: readonly Sized[], limits: PackageLimits): string | null {
  if (entries.length > limits.maxEntries) return `the zip has ${entries.length} entries (limit ${limits.maxEntries}; a zip bomb?)`
  let total = 0
  let compressed = 0
  for (const entry of entries) {
    if (entry.isDirectory) continue
    total += entry.uncompressedSize
    compressed += entry.compressedSize
    if (total > limits.maxTotalBytes) return `the zip expands to more than ${limits.maxTotalBytes} bytes (a zip bomb?)`
    if (entry.uncompressedSize >= RATIO_FLOOR && entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxRatio) {
      return `entry '${entry.name}' has a compression ratio above ${limits.maxRatio} (a zip bomb?)`
    }
  }

  if (total >= RATIO_FLOOR && total / Math.max(1, compressed) > limits.maxRatio) return `the zip has an overall compression ratio above ${limits.maxRatio} (a zip bomb?)`
  return null
}
