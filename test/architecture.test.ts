import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PROJECT_ROOT} from './helpers/cli.js'

// The layers of ARCHITECTURE.md, checked by dependency-cruiser with .dependency-cruiser.cjs:
// core (rules and the port) imports no outer layer, backends and the server no command or
// terminal code, lib nothing above it, and no module cycle.
const depcruise = join(PROJECT_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')
const config = join(PROJECT_ROOT, '.dependency-cruiser.cjs')
const cruise = (cwd: string) => spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'err'], {cwd, encoding: 'utf8', timeout: 120_000})

describe('layering', () => {
  it('src has no dependency that reaches the wrong way', () => {
    const result = cruise(PROJECT_ROOT)
    expect({status: result.status, out: result.stdout + result.stderr}).toEqual({status: 0, out: expect.stringContaining('no dependency violations')})
  })

  it('the check fails when core reaches into the terminal layer or a backend (a tree that breaks each rule)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atpctl-layers-'))
    try {
      for (const d of ['src/core', 'src/ui', 'src/backends/local', 'src/commands']) mkdirSync(join(dir, d), {recursive: true})
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({compilerOptions: {module: 'nodenext', moduleResolution: 'nodenext', strict: true}}))
      writeFileSync(join(dir, 'src/ui/table.ts'), 'export const table = 1\n')
      writeFileSync(join(dir, 'src/commands/list.ts'), 'export const list = 1\n')
      writeFileSync(join(dir, 'src/backends/local/store.ts'), "import {list} from '../../commands/list.js'\nexport const store = list\n")
      writeFileSync(join(dir, 'src/core/rule.ts'), "import {table} from '../ui/table.js'\nimport {store} from '../backends/local/store.js'\nexport const rule = table + store\n")
      const result = cruise(dir)
      expect(result.status).not.toBe(0)
      const out = result.stdout + result.stderr
      expect(out).toMatch(/core-is-inner: src\/core\/rule\.ts → src\/ui\/table\.ts/)
      expect(out).toMatch(/core-is-inner: src\/core\/rule\.ts → src\/backends\/local\/store\.ts/)
      expect(out).toMatch(/backends-below-commands: src\/backends\/local\/store\.ts → src\/commands\/list\.ts/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
