import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {eicarString} from '../../../src/core/detect/eicar.js'
import {PROJECT_ROOT} from '../../helpers/cli.js'

/** Every file under the given roots (no node_modules, no dot directories). */
function* files(path: string): Generator<string> {
  const stat = statSync(path, {throwIfNoEntry: false})
  if (!stat) return
  if (stat.isFile()) {
    yield path
    return
  }

  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue
    yield* files(join(path, entry))
  }
}

describe('the project itself is never an EICAR file (DT1)', () => {
  it('no file of src, test, bench, fixtures, dist or the README contains the test string', () => {
    const needle = Buffer.from(eicarString(), 'latin1')
    const roots = ['src', 'test', 'bench', 'fixtures', 'dist', 'README.md'].map((r) => join(PROJECT_ROOT, r))
    let scanned = 0
    const hits: string[] = []
    for (const root of roots) {
      for (const file of files(root)) {
        scanned++
        if (readFileSync(file).includes(needle)) hits.push(file)
      }
    }

    expect(scanned).toBeGreaterThan(50)
    expect(hits).toEqual([])
  })
})
