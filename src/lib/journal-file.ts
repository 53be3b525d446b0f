import {chmod, mkdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {writeFileAtomic} from './zip-writer.js'

/**
 * The journals of resumable bulk commands (`device offboard`): `$ATPCTL_HOME/journals/<name>.json`,
 * in an owner-only folder, each file owner-only (0600) and replaced whole through a temporary
 * file and a rename, so a killed run leaves the previous journal or the new one, never half of one.
 */
export function journalPath(home: string, name: string): string {
  return join(home, 'journals', `${name}.json`)
}

export interface JournalFile {
  path: string
  read(): Promise<string | null>
  write(text: string): Promise<void>
}

export function journalFile(home: string, name: string): JournalFile {
  return journalFileIn(join(home, 'journals'), name)
}

/** A journal in another owner-only folder (a profile's `journals/`: an apply on the microsoft backend). */
export function journalFileIn(dir: string, name: string): JournalFile {
  const path = join(dir, `${name}.json`)
  return {
    path,
    async read() {
      try {
        return await readFile(path, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw error
      }
    },
    async write(text) {
      await mkdir(dir, {recursive: true, mode: 0o700})
      await chmod(dir, 0o700)
      await writeFileAtomic(path, text, 0o600)
    },
  }
}
