import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {verdictToJUnit} from '../../../src/core/detect/report.js'
import {verdictOf, type Verdict} from '../../../src/core/detect/verdict.js'
import {renderJUnit, writeJUnit, xmlEscape} from '../../../src/lib/junit.js'
import {requireTool} from '../../helpers/tools.js'

const verdict = (over: Partial<Verdict> = {}): Verdict =>
  verdictOf(over.outcome ?? 'timeout', {
    check: 'eicar',
    os: null,
    message: `No "'EICAR_Test_File' malware was prevented" alert for <web&01> within 10m.`,
    suggestions: ['Check real-time protection'],
    device: 'web-01',
    machineId: 'a'.repeat(40),
    computerDnsName: 'web-01',
    expectedTitle: "'EICAR_Test_File' malware was prevented",
    alert: null,
    file: {path: '/tmp/x.com', sha256: 'ab', size: 68, kept: false},
    reportedBy: 'atpctl',
    preflight: [
      {name: 'device', ok: true, detail: 'web-01'},
      {name: 'data-path', ok: true, detail: 'reports directly'},
    ],
    startedAt: '2026-11-23T10:00:00.123Z',
    finishedAt: '2026-11-23T10:10:00.000Z',
    seconds: 600,
    timeoutSeconds: 600,
    polls: 124,
    ...over,
  })

/** Runs xmllint --noout; returns its stderr (empty when the file is well-formed). */
function xmllint(file: string): void {
  execFileSync('xmllint', ['--noout', file], {stdio: ['ignore', 'ignore', 'pipe']})
}

const withXmllint = requireTool('xmllint')

withXmllint.describe('JUnit report of a check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atpctl-junit-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it('DT3: a timeout is a failed test case that xmllint accepts', () => {
    const file = join(dir, 'timeout.xml')
    writeJUnit(file, [verdictToJUnit(verdict())])
    expect(() => xmllint(file)).not.toThrow()
    const xml = readFileSync(file, 'utf8')
    expect(xml).toMatch(/<testsuites tests="3" failures="1" errors="0"/)
    expect(xml).toContain('type="DETECT_TIMEOUT"')
    expect(xml).toContain('&lt;web&amp;01&gt;')
    expect(xml).toContain('<property name="exitCode" value="10"/>')
  })

  it('DT3: a failed preflight fails that check and skips the alert case', () => {
    const file = join(dir, 'preflight.xml')
    const v = verdict({outcome: 'sensor-inactive', preflight: [{name: 'device', ok: true, detail: 'x'}, {name: 'sensor', ok: false, detail: 'inactive'}]})
    writeJUnit(file, [verdictToJUnit(v)])
    xmllint(file)
    const xml = readFileSync(file, 'utf8')
    expect(xml).toContain('<skipped message="preflight failed"/>')
    expect(xml).toMatch(/failures="1"/)
  })

  it('a pass has no failure element', () => {
    const file = join(dir, 'pass.xml')
    writeJUnit(file, [verdictToJUnit(verdict({outcome: 'alert-seen'}))])
    xmllint(file)
    expect(readFileSync(file, 'utf8')).not.toContain('<failure')
  })

  it('escapes markup and drops characters XML cannot carry, so xmllint still accepts it', () => {
    const file = join(dir, 'nasty.xml')
    const nasty = 'a\u0000b\u001b[31m<x>"\'&]]>\uD800'
    writeJUnit(file, [{name: nasty, timestamp: '2026-01-01T00:00:00Z', cases: [{name: nasty, classname: nasty, timeSeconds: 1, failure: {message: nasty, type: nasty}, systemOut: nasty}]}])
    xmllint(file)
    expect(xmlEscape(nasty)).toBe('ab[31m&lt;x&gt;&quot;&apos;&amp;]]&gt;')
    expect(renderJUnit([])).toContain('<testsuites tests="0"')
  })
})
