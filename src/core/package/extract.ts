/**
 * `package extract`: safe extraction of a package zip. Every entry is checked before anything
 * is written (names that escape the directory, symlinks, duplicates, declared sizes against
 * zip-bomb limits), then data is streamed into a temporary directory beside the target with
 * sizes and CRCs verified as it goes; only a complete, verified extraction is renamed into
 * place, so a failure leaves nothing behind and an existing empty --dir as it was. A temporary
 * directory of a killed run (its pid is gone) is removed by the next run; the command removes
 * its own on SIGINT/SIGTERM. Files are owner-only (packages are secrets, T2).
 */
import {lstat, mkdir, open, readdir, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join, posix, resolve} from 'node:path'
import {openZipReader, type ZipEntry, ZipFormatError} from '../../lib/zip-reader.js'
import {removeStaleTemps, tempName} from '../../lib/stale-temp.js'
import {InvalidInputError, UsageError} from '../errors.js'
import {statPackageFile} from './input.js'
import {archiveLimitViolation, DEFAULT_PACKAGE_LIMITS, type PackageLimits} from './limits.js'

/** The limits are shared with inspection (one set, src/core/package/limits.ts). */
export type ExtractLimits = PackageLimits
export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = DEFAULT_PACKAGE_LIMITS

export interface ExtractResult {
  dir: string
  files: {path: string; bytes: number}[]
  totalBytes: number
}

function unsafe(message: string): InvalidInputError {
  return new InvalidInputError(`Refusing to extract: ${message}.`, {
    code: 'PACKAGE_UNSAFE',
    suggestions: ['Do not use this file: real packages never contain such entries. Download the package again from the portal.'],
  })
}

/** The entry name as a safe relative POSIX path, or a reason why it is not one. */
export function safeEntryPath(name: string): {path: string} | {reason: string} {
  const slashed = name.replace(/\\/g, '/')
  if (slashed.length === 0 || slashed.includes('\0')) return {reason: 'an empty or NUL-containing name'}
  if (/^[a-zA-Z]:/.test(slashed)) return {reason: 'a drive-letter path'}
  if (slashed.startsWith('/')) return {reason: 'an absolute path'}
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) return {reason: 'a ".." path segment that escapes the directory'}
  if (segments.length === 0) return {reason: 'an empty path'}
  return {path: posix.join(...segments)}
}

/** Checks every entry before anything is written. */
export function planExtraction(entries: ZipEntry[], limits: ExtractLimits): {entry: ZipEntry; path: string}[] {
  const violation = archiveLimitViolation(entries, limits)
  if (violation) throw unsafe(violation)
  const plan: {entry: ZipEntry; path: string}[] = []
  const seen = new Map<string, string>()
  const files = new Set<string>()
  for (const entry of entries) {
    const safe = safeEntryPath(entry.name)
    if ('reason' in safe) throw unsafe(`entry '${entry.name}' has ${safe.reason}`)
    if (entry.isSymlink) throw unsafe(`entry '${entry.name}' is a symbolic link`)
    const key = safe.path.toLowerCase()
    // Case-insensitive: on Windows/macOS file systems these would overwrite each other.
    if (seen.has(key)) throw unsafe(`entry '${entry.name}' duplicates '${seen.get(key)}'`)
    seen.set(key, entry.name)
    if (entry.isDirectory) continue
    files.add(key)
    plan.push({entry, path: safe.path})
  }

  // A file may not also be a parent directory of another entry.
  for (const {path} of plan) {
    const parts = path.toLowerCase().split('/')
    for (let i = 1; i < parts.length; i++) {
      if (files.has(parts.slice(0, i).join('/'))) throw unsafe(`entry '${path}' lies under a file of the same zip`)
    }
  }

  return plan
}

/**
 * The target must be new or an empty directory, and not a symbolic link: a link would send the
 * files wherever it points (refused with exit 2, documented in the README). An empty directory
 * is left in place: the finished extraction replaces it in one rename (rename(2) replaces an
 * empty directory), so a failure leaves it exactly as it was.
 */
async function checkTarget(target: string): Promise<void> {
  let info
  try {
    info = await lstat(target)
  } catch {
    return
  }

  if (info.isSymbolicLink()) {
    throw new UsageError(`'${target}' is a symbolic link; extract will not write through it.`, {
      suggestions: ['Pass the directory the link points to (or a new directory) as --dir.'],
    })
  }

  if (!info.isDirectory() || (await readdir(target)).length > 0) {
    throw new UsageError(`'${target}' already exists and is not an empty directory.`, {suggestions: ['Pass --dir with a new (or empty) directory.']})
  }
}

/** The temporary directory beside DIR: `.DIR.extract-<pid>-<random>`. */
export const tempPrefix = (target: string) => `.${basename(target)}.extract-`

export interface ExtractOptions {
  limits?: ExtractLimits
  /** Called with the temporary directory once it exists, and with null once it is gone or renamed (signal cleanup). */
  onTemp?: (temp: string | null) => void
}

/** Extracts `file` into `dir` (created; must not exist or be an empty directory). */
export async function extractPackage(file: string, dir: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const limits = options.limits ?? DEFAULT_EXTRACT_LIMITS
  const target = resolve(dir)
  await statPackageFile(file)
  try {
    await stat(dirname(target))
  } catch {
    throw new UsageError(`The parent directory of '${target}' does not exist.`, {suggestions: ['Create it first, or pass another --dir.']})
  }

  // Leftovers of extractions that were killed (their process is gone) are removed first.
  await removeStaleTemps(dirname(target), tempPrefix(target))
  await checkTarget(target)
  let reader
  try {
    reader = await openZipReader(file, {maxEntries: limits.maxEntries})
  } catch (error) {
    if (error instanceof ZipFormatError) throw unsafeOrMalformed(error)
    throw error
  }

  const temp = join(dirname(target), tempName(tempPrefix(target)))
  try {
    const plan = planExtraction(reader.entries, limits)
    await mkdir(temp, {mode: 0o700})
    options.onTemp?.(temp)
    const files: ExtractResult['files'] = []
    for (const {entry, path} of [...plan].sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset)) {
      const out = join(temp, ...path.split('/'))
      await mkdir(dirname(out), {recursive: true, mode: 0o700})
      const fh = await open(out, 'wx', 0o600)
      let bytes = 0
      try {
        await reader.streamEntry(entry, async (chunk) => {
          bytes += chunk.length
          await fh.write(chunk)
        })
      } finally {
        await fh.close()
      }

      files.push({path, bytes})
    }

    // Empty directory entries are kept as directories.
    for (const entry of reader.entries.filter((e) => e.isDirectory)) {
      const safe = safeEntryPath(entry.name)
      if ('path' in safe) await mkdir(join(temp, ...safe.path.split('/')), {recursive: true, mode: 0o700})
    }

    // Checked again at the last moment: the target may have changed during the extraction.
    await checkTarget(target)
    await rename(temp, target)
    options.onTemp?.(null)
    files.sort((a, b) => a.path.localeCompare(b.path))
    return {dir: target, files, totalBytes: files.reduce((n, f) => n + f.bytes, 0)}
  } catch (error) {
    await rm(temp, {recursive: true, force: true})
    options.onTemp?.(null)
    if (error instanceof ZipFormatError) throw unsafeOrMalformed(error)
    if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`'${target}' is no longer empty; nothing was extracted.`, {suggestions: ['Pass --dir with a new (or empty) directory.']})
    }

    throw error
  } finally {
    await reader.close()
  }
}

function unsafeOrMalformed(error: ZipFormatError): InvalidInputError {
  if (error.reason === 'too-large') return unsafe(error.message)
  return new InvalidInputError(`Cannot extract the package: ${error.message}.`, {
    code: error.reason === 'crc' ? 'PACKAGE_TAMPERED' : 'PACKAGE_MALFORMED',
    suggestions: ['Nothing was extracted. Download the package again from the portal.'],
  })
}
