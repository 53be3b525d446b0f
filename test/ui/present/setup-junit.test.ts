import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {renderPlanJunit} from '../../../src/ui/present/setup-junit.js'
import {planReportLines, writePlanReports} from '../../../src/ui/setup-reports.js'
import {requireTool} from '../../helpers/tools.js'
import {cleanPlan, everyActionPlan, HOSTILE} from '../../helpers/setup-plans.js'

interface ParsedCase {
  name: string
  classname: string
  failure?: {message: string; type: string; text: string}
  skipped?: string
  out?: string
}

interface ParsedReport {
  tests: number
  failures: number
  properties: Record<string, string>
  cases: ParsedCase[]
}

// Python's ElementTree, not our own code, reads the XML back.
const PARSE = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
suite = root.find('testsuite')
cases = []
for c in suite.findall('testcase'):
    f = c.find('failure'); s = c.find('skipped'); o = c.find('system-out')
    d = {'name': c.get('name'), 'classname': c.get('classname')}
    if f is not None: d['failure'] = {'message': f.get('message'), 'type': f.get('type'), 'text': f.text or ''}
    if s is not None: d['skipped'] = s.get('message')
    if o is not None: d['out'] = o.text or ''
    cases.append(d)
print(json.dumps({'tests': int(root.get('tests')), 'failures': int(root.get('failures')),
  'properties': {p.get('name'): p.get('value') for p in suite.find('properties')}, 'cases': cases}))
`

const tools = requireTool('python3', 'xmllint')

tools.describe('renderPlanJunit: the JUnit report of a plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atpctl-setup-junit-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  function parse(xml: string, name: string): ParsedReport {
    const file = join(dir, name)
    writeFileSync(file, xml)
    execFileSync('xmllint', ['--noout', file], {stdio: ['ignore', 'ignore', 'pipe']})
    return JSON.parse(execFileSync('python3', ['-c', PARSE, file], {encoding: 'utf8'})) as ParsedReport
  }

  const byName = (report: ParsedReport, classname: string, name: string) => {
    const found = report.cases.find((c) => c.classname === classname && c.name === name)
    if (!found) throw new Error(`no case ${classname} ${name} in ${JSON.stringify(report.cases.map((c) => [c.classname, c.name]))}`)
    return found
  }

  const report = () => parse(renderPlanJunit(everyActionPlan()), 'every-action.xml')

  it('has one case per resource (classname the kind) and one per blocking prediction', () => {
    const r = report()
    const plan = everyActionPlan()
    const resourceCases = r.cases.filter((c) => !c.classname.endsWith('.prediction'))
    expect(resourceCases.map((c) => [c.classname, c.name])).toEqual(
      plan.resources.map((res) => [res.kind, res.name.replace('\u001B', '\\x1b').replace('\u202E', '\\u202e').replace('\u0000', '\\x00')]),
    )
    const predictionCases = r.cases.filter((c) => c.classname.endsWith('.prediction'))
    expect(predictionCases).toEqual([
      {
        name: 'tenant: LOCATION_FIXED',
        classname: 'tenant.prediction',
        failure: {
          message: 'The tenant is in eu, the file says us; a tenant location is never changed.',
          type: 'LOCATION_FIXED',
          text: 'tenant tenant: The tenant is in eu, the file says us; a tenant location is never changed.\napply would be refused (LOCATION_FIXED).',
        },
      },
    ])
    // 8 resources and the blocking prediction; 5 drift (2 create, 2 update, 1 delete), and the prediction fails.
    expect(r.tests).toBe(9)
    expect(r.failures).toBe(6)
  })

  it('a create fails as missing in the tenant, with where the file names it', () => {
    const c = byName(report(), 'group', 'Finance laptops')
    expect(c.failure?.type).toBe('DRIFT')
    expect(c.failure?.message).toBe('group Finance laptops missing in the tenant; apply creates it')
    expect(c.failure?.text).toContain('at tenant/atpctl.yaml:8:5')
  })

  it('an update fails with each field, its current and its desired value; a secret stays (secret)', () => {
    const r = report()
    const collection = r.cases.find((c) => c.classname === 'collection')!
    expect(collection.failure?.message).toContain('differs from the file in 2 fields (rules, limitTo)')
    expect(collection.failure?.text).toContain('  rules: current ["os:windows"] -> desired ["os:windows", "name:web-*"]')
    expect(collection.failure?.text).toContain('  limitTo: current (none) -> desired "All servers"')
    const policy = byName(r, 'policy', 'Servers onboarding')
    expect(policy.failure?.text).toContain('workspaceKey: current (secret) -> desired (secret)')
  })

  it('with --prune a resource only the tenant has fails as deleted; without, it is skipped as unmanaged', () => {
    const r = report()
    expect(byName(r, 'edr-profile', 'Old EDR').failure?.message).toBe('edr-profile Old EDR in the tenant but not in the file; apply --prune deletes it')
    const unmanaged = byName(r, 'access-policy', 'Legacy block')
    expect(unmanaged.failure).toBeUndefined()
    expect(unmanaged.skipped).toBe('access-policy Legacy block is in the tenant but not in the file; left alone (--prune would delete it)')
  })

  it('unchanged resources pass; a note prediction is the system-out of its resource', () => {
    const r = report()
    expect(byName(r, 'compliance-policy', 'Windows baseline')).toEqual({name: 'Windows baseline', classname: 'compliance-policy'})
    const deployment = byName(r, 'deployment', 'Servers onboarding -> All servers')
    expect(deployment.out).toBe('note DEVICES_MISSED: 3 devices in All servers would miss the policy: web-07 runs ConfigMgr 1902 (needs 2002).')
  })

  it('carries the profile, backend, file, prune, hashes and counts as properties', () => {
    expect(report().properties).toEqual({
      profile: 'prod',
      backend: 'local',
      file: 'tenant/atpctl.yaml',
      prune: 'true',
      documentSha256: 'a'.repeat(64),
      tenantSha256: 'b'.repeat(64),
      create: '2',
      update: '2',
      delete: '1',
      unchanged: '2',
      unmanaged: '1',
    })
  })

  it('a hostile name is escaped: the XML parses and the name reads back as text, controls shown escaped', () => {
    const xml = renderPlanJunit(everyActionPlan())
    expect(xml).not.toContain('<script>')
    expect(xml).not.toContain('\u001B')
    expect(xml).not.toContain('\u202E')
    const c = report().cases.find((x) => x.classname === 'collection')!
    expect(c.name).toBe(`<script>alert("x")</script>&'"\\x1b[31m\\u202eexe.txt\\x00]]>`)
    expect(HOSTILE).toContain('\u0000')
  })

  it('a note about something the plan does not list is a passed case of its own, not lost', () => {
    const plan = cleanPlan()
    plan.predictions = [{kind: 'deployment', name: 'Any OS -> Servers', code: 'CHECKED_AT_APPLY', message: 'Apply checks which devices it would miss.', blocking: false}]
    const r = parse(renderPlanJunit(plan), 'note.xml')
    expect(r.failures).toBe(0)
    expect(r.cases.at(-1)).toEqual({name: 'Any OS -> Servers: CHECKED_AT_APPLY', classname: 'deployment.prediction', out: 'note CHECKED_AT_APPLY: Apply checks which devices it would miss.'})
  })

  it('a plan with no difference has no failure', () => {
    const r = parse(renderPlanJunit(cleanPlan()), 'clean.xml')
    expect(r.failures).toBe(0)
    expect(r.tests).toBe(2)
  })
})

describe('writePlanReports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atpctl-setup-reports-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('writes both reports whole into a folder it creates, and says where', async () => {
    const {written, failures} = await writePlanReports(everyActionPlan(), {junit: join(dir, 'out/junit.xml'), html: join(dir, 'out/report.html')})
    expect(failures).toEqual([])
    expect(written).toEqual({junit: join(dir, 'out/junit.xml'), html: join(dir, 'out/report.html')})
    expect(readFileSync(written.junit!, 'utf8')).toBe(renderPlanJunit(everyActionPlan()))
    expect(readFileSync(written.html!, 'utf8')).toMatch(/^<!DOCTYPE html>/)
    expect(statSync(written.html!).mode & 0o777).toBe(0o644)
    expect(planReportLines(written)).toEqual([`JUnit report written to ${written.junit}`, `HTML report written to ${written.html}`])
  })

  it('a report that cannot be written is a usage error naming the file and the flag; the other is still written', async () => {
    const blocker = join(dir, 'a-file')
    writeFileSync(blocker, 'x')
    const {written, failures} = await writePlanReports(everyActionPlan(), {junit: join(blocker, 'junit.xml'), html: join(dir, 'ok/report.html')})
    expect(written).toEqual({html: join(dir, 'ok/report.html')})
    expect(readFileSync(written.html!, 'utf8')).toMatch(/^<!DOCTYPE html>/)
    expect(failures).toHaveLength(1)
    expect(failures[0].message).toMatch(new RegExp(`^Cannot write the JUnit report '${blocker}/junit\\.xml' \\((EEXIST|ENOTDIR)\\)\\.$`))
    expect(failures[0]).toMatchObject({code: 'USAGE', exitCode: 2, suggestions: ['Pass --junit a file path in a folder you can write to.']})
  })
})
