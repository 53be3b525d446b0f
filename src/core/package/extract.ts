/**
 * `package extract`: safe extraction of a package zip. Every entry is checked before anything
 * is written (names that escape the directory, symlinks, duplicates, declared sizes against
 * zip-bomb limits), then data is streamed into a temporary directory beside the target with
 * sizes and CRCs verified as it goes; only a complete, verified extraction is renamed into
 * place, so a failure leaves nothing behind. Files are owner-only (packages are secrets, T2).
 */
import {randomBytes} from 'node:crypto'
import {mkdir, open, readdir, rename, rm, rmdir, stat} from 'node:fs/promises'
import {basename, dirname, join, posix, resolve} from 'node:path'
import {openZipReader, type ZipEntry, ZipFormatError} from '../../lib/zip-reader.js'
import {InvalidInputError, NotFoundError, UsageError} from '../errors.js'
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

async function prepareTarget(target: string): Promise<void> {
  let info
  try {
    info = await stat(target)
  } catch {
    return
  }

  if (!info.isDirectory() || (await readdir(target)).length > 0) {
    throw new UsageError(`'${target}' already exists and is not an empty directory.`, {suggestions: ['Pass --dir with a new (or empty) directory.']})
  }

  await rmdir(target)
}

/** Extracts `file` into `dir` (created; must not exist or be empty). */
export async function extractPackage(file: string, dir: string, options: {limits?: ExtractLimits} = {}): Promise<ExtractResult> {
  const limits = options.limits ?? DEFAULT_EXTRACT_LIMITS
  const target = resolve(dir)
  try {
    await stat(file)
  } catch {
    throw new NotFoundError(`Package file '${file}' not found.`, {suggestions: ['Check the path.']})
  }

  try {
    await stat(dirname(target))
  } catch {
    throw new UsageError(`The parent directory of '${target}' does not exist.`, {suggestions: ['Create it first, or pass another --dir.']})
  }

  let reader
  try {
    reader = await openZipReader(file, {maxEntries: limits.maxEntries})
  } catch (error) {
    if (error instanceof ZipFormatError) throw unsafeOrMalformed(error)
    throw error
  }

  const temp = join(dirname(target), `.${basename(target)}.extract-${randomBytes(6).toString('hex')}`)
  try {
    const plan = planExtraction(reader.entries, limits)
    await prepareTarget(target)
    await mkdir(temp, {mode: 0o700})
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

    await rename(temp, target)
    files.sort((a, b) => a.path.localeCompare(b.path))
    return {dir: target, files, totalBytes: files.reduce((n, f) => n + f.bytes, 0)}
  } catch (error) {
    await rm(temp, {recursive: true, force: true})
    if (error instanceof ZipFormatError) throw unsafeOrMalformed(error)
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
