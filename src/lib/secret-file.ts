import {lstatSync} from 'node:fs'
import {AtpError, UsageError} from '../core/errors.js'
import {writeFileAtomic} from './zip-writer.js'

/**
 * `--out FILE` of the commands that hand out a secret (token mint, workspace show): the file
 * holds the secret alone and a newline, owner-only (0600, T2), so `--token-file FILE` and
 * `--workspace-key-file FILE` read it back as it is. An existing file is kept unless --force:
 * check before the secret is made, write after.
 */
export function checkSecretTarget(path: string, options: {force: boolean}): void {
  let existing: ReturnType<typeof lstatSync> | undefined
  try {
    existing = lstatSync(path)
  } catch {
    return
  }

  if (existing.isDirectory()) {
    throw new UsageError(`--out '${path}' is a folder; it takes a file name.`, {suggestions: [`Name a file inside it, for example --out ${path.replace(/\/+$/, '')}/secret.txt`]})
  }

  if (!options.force) {
    throw new AtpError('FILE_EXISTS', 4, `'${path}' exists already; atpctl does not overwrite it without --force.`, {
      suggestions: ['Pass --force to replace it, or choose another --out file.'],
    })
  }
}

export async function writeSecretFile(path: string, secret: string, options: {force: boolean}): Promise<void> {
  checkSecretTarget(path, options)
  try {
    await writeFileAtomic(path, secret + '\n', 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`Cannot write --out '${path}' (${code ?? (error as Error).message}).`, {suggestions: ['Pass --out a file in a folder you can write to.']})
  }
}
