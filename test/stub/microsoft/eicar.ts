/**
 * The stub playing the endpoint's sensor: it watches a folder and, when a file there is the
 * EICAR test file (REFERENCE §6.1: starts with the 68-character string, then only whitespace,
 * at most 128 bytes), raises the alert Defender would for the watched machine, with the file's
 * own SHA-1 and SHA-256 as evidence. The string is assembled at run time so this source never
 * holds it whole.
 */
import {createHash} from 'node:crypto'
import {type FSWatcher, readdirSync, readFileSync, statSync, watch} from 'node:fs'
import {join} from 'node:path'
import {makeAlert} from './fixtures.js'
import type {StubAlert, StubMachine} from './types.js'

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

export function isEicar(bytes: Buffer): boolean {
  if (bytes.length < EICAR.length || bytes.length > 128) return false
  if (bytes.subarray(0, EICAR.length).toString('latin1') !== EICAR) return false
  return [...bytes.subarray(EICAR.length)].every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x1a)
}

export interface EicarWatch {
  stop(): void
}

export function watchFolder(options: {folder: string; machine: () => StubMachine | undefined; delayMs: number; tenantId: string; raise(alert: StubAlert): void}): EicarWatch {
  const seen = new Set<string>()
  const timers = new Set<NodeJS.Timeout>()
  let stopped = false

  const scan = (initial = false) => {
    if (stopped) return
    let names: string[]
    try {
      names = readdirSync(options.folder)
    } catch {
      return
    }

    for (const name of names) {
      const path = join(options.folder, name)
      let key: string
      let bytes: Buffer
      try {
        const stat = statSync(path)
        if (!stat.isFile() || stat.size > 128) continue
        key = `${path}:${stat.mtimeMs}:${stat.size}`
        if (seen.has(key)) continue
        bytes = readFileSync(path)
      } catch {
        continue
      }

      if (!isEicar(bytes)) continue
      seen.add(key)
      // A file already there when the watch starts is old news; only new ones raise an alert.
      if (initial) continue
      const timer = setTimeout(() => {
        timers.delete(timer)
        const machine = options.machine()
        if (stopped || !machine) return
        const now = Date.now()
        options.raise(
          makeAlert(
            machine,
            {
              title: "'EICAR_Test_File' malware was detected",
              description: 'Malware and unwanted software are undesirable applications that perform annoying, disruptive, or harmful actions on affected machines.',
              severity: 'Informational',
              category: 'Malware',
              detectionSource: 'WindowsDefenderAv',
              threatFamilyName: 'EICAR_Test_File',
              threatName: 'Virus:DOS/EICAR_Test_File',
              mitreTechniques: [],
              evidence: [
                {
                  entityType: 'File',
                  evidenceCreationTime: new Date(now).toISOString(),
                  sha1: createHash('sha1').update(bytes).digest('hex'),
                  sha256: createHash('sha256').update(bytes).digest('hex'),
                  fileName: name,
                  filePath: options.folder,
                  processId: null,
                  processCommandLine: null,
                  detectionStatus: 'Detected',
                },
              ],
            },
            options.tenantId,
            now,
          ),
        )
      }, options.delayMs)
      timers.add(timer)
    }
  }

  // fs.watch can miss events (and is absent on some file systems): a short poll backs it up.
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(options.folder, () => scan())
  } catch {
    watcher = undefined
  }

  const poll = setInterval(() => scan(), 100)
  poll.unref()
  scan(true)
  return {
    stop() {
      stopped = true
      watcher?.close()
      clearInterval(poll)
      for (const timer of timers) clearTimeout(timer)
    },
  }
}
