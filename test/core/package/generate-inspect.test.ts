import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Backend} from '../../../src/core/port/types.js'
import {generatePackage} from '../../../src/core/package/generate.js'
import {assertUsable, inspectPackage} from '../../../src/core/package/inspect.js'
import {PACKAGE_KINDS, PACKAGE_OSES, type PackageMethod, type PackageOs, validMethods} from '../../../src/core/package/layout.js'
import {tempBackend} from '../../helpers/backend.js'
import {requireTool} from '../../helpers/tools.js'

let backend: Backend
let cleanup: () => Promise<void>
let dir: string
let tenant: {orgId: string; certificateSha256: string}
const NOW = new Date('2026-03-01T12:00:00Z')

beforeAll(async () => {
  ;({backend, cleanup} = await tempBackend({withTenant: true}))
  tenant = (await backend.tenant.get())!
  dir = mkdtempSync(join(tmpdir(), 'atpctl-pkg-'))
})
afterAll(async () => {
  await cleanup()
  rmSync(dir, {recursive: true, force: true})
})

const combos = PACKAGE_KINDS.flatMap((kind) =>
  PACKAGE_OSES.filter((os) => os !== 'down-level').flatMap((os) => validMethods(kind, os).map((method) => ({kind, os, method}))),
)

const withTools = requireTool('unzip', 'python3')

withTools.describe.each(combos)('$kind $os $method', ({kind, os, method}) => {
  it('generates a package that unzip -t and python zipfile accept and that inspects as ours', async () => {
    const out = join(dir, `${kind}-${os}-${method}.zip`)
    const {package: pkg} = await generatePackage(backend, {kind, os: os as PackageOs, method: method as PackageMethod, directory: dir, out, profile: 'test', now: NOW})
    expect(statSync(out).mode & 0o777).toBe(0o600)
    execFileSync('unzip', ['-tq', out], {stdio: 'pipe'})
    execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None', out])
    const inspection = await inspectPackage(out, {tenant, now: NOW})
    expect(inspection.kind).toBe(kind)
    expect(inspection.os).toBe(os === 'windows-server' ? 'windows' : os)
    expect(inspection.methodCandidates).toContain(method)
    expect(inspection.signatures).toEqual({sha1Valid: true, sha256Valid: true, sha256PssValid: null, chainValid: true})
    expect(inspection.signer.kind).toBe('tenant')
    expect(inspection.belongsToTenant).toBe(true)
    expect(inspection.orgId).toBe(tenant.orgId)
    expect(inspection.problems).toEqual([])
    expect(inspection.sha256).toBe(pkg.sha256)
    if (kind === 'offboarding') {
      expect(inspection.expiresAt).toBe('2026-03-31T12:00:00.000Z')
      expect(inspection.daysLeft).toBe(30)
    }
    expect(() => assertUsable(inspection, {kind, requireTenant: true})).not.toThrow()
    expect(readFileSync(out).length).toBe(pkg.bytes)
  })
})
