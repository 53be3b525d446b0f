/**
 * Temporary directories named after the process that made them (`<prefix><pid>-<random>`), so
 * a later run can tell an interrupted run's leftovers (its process is gone) from a concurrent
 * run's work in progress (its process is alive) and remove only the former.
 */
import {readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'

export function tempName(prefix: string): string {
  return `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Removes `dir/<prefix><pid>-<hex>` entries whose process is gone; returns the names removed. */
export async function removeStaleTemps(dir: string, prefix: string): Promise<string[]> {
  const re = new RegExp(`^${escapeRe(prefix)}(\\d+)-[0-9a-f]+$`)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }

  const removed: string[] = []
  for (const name of names) {
    const m = re.exec(name)
    if (!m || isProcessAlive(Number(m[1]))) continue
    await rm(join(dir, name), {recursive: true, force: true})
    removed.push(name)
  }

  return removed
}
