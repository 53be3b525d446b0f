import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {OPERATIONS} from '../../src/backends/remote/operations.js'
import {PROJECT_ROOT} from '../helpers/cli.js'

// The contract suite defines a backend: every port operation is called by at least one contract
// case (on every backend), so a new operation cannot be added without one.
describe('contract coverage', () => {
  it('every port operation has a contract case', () => {
    const dir = join(PROJECT_ROOT, 'test', 'backends', 'contract')
    const cases = readdirSync(dir)
      .filter((f) => f.endsWith('.cases.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n')
    const uncovered = OPERATIONS.map((o) => o.id).filter((id) => {
      const [resource, method] = id.split('.')
      return !new RegExp(`\\b(backend|admin)\\.${resource}\\.${method}\\(`).test(cases)
    })
    expect(uncovered).toEqual([])
    expect(OPERATIONS.length).toBeGreaterThan(40)
  })
})
