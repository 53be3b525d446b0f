/**
 * The package FILE argument of `package inspect` and `package extract`: it must be a regular
 * file. A directory is a usage error, and so is a FIFO, socket or device: opening a FIFO would
 * block until a writer appears (a hang), so it is refused from its stat, before any open.
 */
import {stat} from 'node:fs/promises'
import type {Stats} from 'node:fs'
import {NotFoundError, UsageError} from '../errors.js'

export async function statPackageFile(file: string): Promise<Stats> {
  let info: Stats
  try {
    info = await stat(file)
  } catch {
    throw new NotFoundError(`Package file '${file}' not found.`, {
      suggestions: ['Check the path, or generate one: atpctl package generate onboarding --os windows --method local-script'],
    })
  }

  if (info.isFile()) return info
  const what = info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a named pipe' : info.isSocket() ? 'a socket' : 'a device'
  throw new UsageError(`'${file}' is ${what}, not a package file.`, {
    suggestions: ['Pass the package zip (or carrier file) itself, e.g. WindowsDefenderATPOnboardingPackage.zip.'],
  })
}
