/**
 * `atpctl validate --junit FILE --html FILE` as a CI job runs it (issue 14): the reports are
 * written in sync (exit 0) and on drift (exit 14), name the resource and the field that drifted,
 * say where they went, and a report that cannot be written never hides the drift. The HTML of
 * the real command is opened in headless Chromium too.
 */
import {execFile, execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const withPython = requireTool('python3', 'xmllint')
const withChromium = requireTool('chromium')

// Python's ElementTree reads the cases back: [classname, name, failure message, failure text].
const CASES = `
import json, sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find('testsuite')
print(json.dumps([[c.get('classname'), c.get('name'), (c.find('failure').get('message') if c.find('failure') is not None else None),
  (c.find('failure').text if c.find('failure') is not None else None)] for c in suite.findall('testcase')]))
`

describe('validate --junit and --html', () => {
  const {home, cleanup} = tempHome('atpctl-validate-reports-')
  const cli = (args: string[]) => runCli(args, {home})
  const hostile = 'Sales <b>&</b> "EU"'

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'eu'])).code).toBe(0)
    expect((await cli(['group', 'create', 'Finance', '--description', 'Money'])).code).toBe(0)
    expect((await cli(['collection', 'create', 'Servers', '--rule', 'family=windows'])).code).toBe(0)
    expect((await cli(['export', '--out', 'atpctl.yaml'])).code).toBe(0)
  })
  afterAll(cleanup)

  it('in sync: exit 0, both reports written into a folder it creates, where they went on stderr', async () => {
    const result = await cli(['validate', '-f', 'atpctl.yaml', '--junit', 'reports/sync.xml', '--html', 'reports/sync.html'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`JUnit report written to ${join(home, 'reports', 'sync.xml')}`)
    expect(result.stderr).toContain(`HTML report written to ${join(home, 'reports', 'sync.html')}`)
    expect(readFileSync(join(home, 'reports', 'sync.xml'), 'utf8')).not.toContain('<failure')
    expect(readFileSync(join(home, 'reports', 'sync.html'), 'utf8')).toContain('No drift: the tenant matches the file.')
  })

  describe('after changes by hand', () => {
    beforeAll(async () => {
      expect((await cli(['group', 'update', 'Finance', '--description', 'Lots of money'])).code).toBe(0)
      expect((await cli(['group', 'create', hostile])).code).toBe(0)
    })

    withPython.it('exit 14, and the JUnit report fails the resource with its field; the extra group with --prune', async () => {
      const result = await cli(['validate', '-f', 'atpctl.yaml', '--prune', '--junit', 'drift.xml', '--html', 'drift.html'])
      expect(result.code).toBe(14)
      expect(result.stderr).toMatch(/Error: Profile 'default' differs from atpctl\.yaml: 0 to create, 1 to change, 1 to delete\./)
      expect(result.stderr).toContain(`JUnit report written to ${join(home, 'drift.xml')}`)
      execFileSync('xmllint', ['--noout', join(home, 'drift.xml')])
      const cases = JSON.parse(execFileSync('python3', ['-c', CASES, join(home, 'drift.xml')], {encoding: 'utf8'})) as [string, string, string | null, string | null][]
      const finance = cases.find(([kind, name]) => kind === 'group' && name === 'Finance')!
      expect(finance[2]).toBe('group Finance differs from the file in 1 field (description); apply changes it')
      expect(finance[3]).toContain('description: current "Lots of money" -> desired "Money"')
      expect(finance[3]).toMatch(/at atpctl\.yaml:\d+:\d+/)
      expect(cases.find(([kind, name]) => kind === 'group' && name === hostile)?.[2]).toBe(`group ${hostile} in the tenant but not in the file; apply --prune deletes it`)
      expect(cases.filter(([, , failure]) => failure !== null)).toHaveLength(2)
    })

    it('--json: exit 14, the plan and where the reports went', async () => {
      const result = await cli(['validate', '-f', 'atpctl.yaml', '--junit', 'json/j.xml', '--html', 'json/r.html', '--json'])
      expect(result.code).toBe(14)
      expect(result.json()).toMatchObject({
        drift: true,
        reports: {junit: join(home, 'json', 'j.xml'), html: join(home, 'json', 'r.html')},
        error: {code: 'DRIFT', exitCode: 14},
        plan: {summary: {update: 1, unmanaged: 1}},
      })
      expect(existsSync(join(home, 'json', 'j.xml'))).toBe(true)
      expect(result.stderr).toBe('')
    })

    it('a report that cannot be written is said, and the drift keeps exit 14; in sync it is exit 2', async () => {
      writeFileSync(join(home, 'not-a-folder'), 'x')
      const drift = await cli(['validate', '-f', 'atpctl.yaml', '--junit', 'not-a-folder/j.xml', '--html', 'ok.html'])
      expect(drift.code).toBe(14)
      expect(drift.stderr).toMatch(/Error: Cannot write the JUnit report 'not-a-folder\/j\.xml' \((EEXIST|ENOTDIR)\)\./)
      expect(readFileSync(join(home, 'ok.html'), 'utf8')).toContain('Finance')
      const json = await cli(['validate', '-f', 'atpctl.yaml', '--junit', 'not-a-folder/j.xml', '--json'])
      expect(json.code).toBe(14)
      expect(json.json()).toMatchObject({error: {code: 'DRIFT'}, reports: {}, reportErrors: [{code: 'USAGE', exitCode: 2}]})

      expect((await cli(['export', '--out', 'now.yaml'])).code).toBe(0)
      const sync = await cli(['validate', '-f', 'now.yaml', '--html', 'not-a-folder/r.html'])
      expect(sync.code).toBe(2)
      expect(sync.stderr).toMatch(/^Error: Cannot write the HTML report 'not-a-folder\/r\.html' \((EEXIST|ENOTDIR)\)\.\nTry this: Pass --html a file path in a folder you can write to\./m)
    })

    withChromium.it('the HTML report of the command renders in headless Chromium with a row per difference', async () => {
      const file = join(home, 'drift.html')
      if (!existsSync(file)) expect((await cli(['validate', '-f', 'atpctl.yaml', '--prune', '--html', 'drift.html'])).code).toBe(14)
      const profile = join(home, 'chromium')
      mkdirSync(profile, {recursive: true})
      const dom = await new Promise<string>((resolve, reject) => {
        execFile(
          'chromium',
          ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--proxy-server=http://127.0.0.1:9', '--dump-dom', pathToFileURL(file).href],
          {env: {...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile}, encoding: 'utf8', timeout: 90_000},
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr.slice(-2000)}`)) : resolve(stdout)),
        )
      })
      rmSync(profile, {recursive: true, force: true})
      const body = /<table id="differences">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(dom)?.[1] ?? ''
      const rows = [...body.matchAll(/<tr class="(\w+)">([\s\S]*?)<\/tr>/g)]
      expect(rows.map((r) => r[1])).toEqual(['update', 'delete'])
      expect(rows[0][2]).toContain('<td>Finance</td>')
      expect(rows[0][2]).toContain('<code>description</code>')
      expect(rows[1][2]).toContain('<td>Sales &lt;b&gt;&amp;&lt;/b&gt; "EU"</td>')
      expect(dom).toMatch(/data-count="update">1</)
      expect(dom).toMatch(/data-count="delete">1</)
    })
  })
})
