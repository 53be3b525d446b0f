import {execFileSync} from 'node:child_process'
import {htmlEscape, renderPlanHtml} from '../../../src/ui/present/setup-html.js'
import type {SetupPlan} from '../../../src/core/tenant-file/plan-types.js'
import {requireTool} from '../../helpers/tools.js'
import {cleanPlan, everyActionPlan} from '../../helpers/setup-plans.js'

interface ParsedPage {
  /** Every start tag with its attributes, in order. */
  tags: [string, Record<string, string | null>][]
  /** The cells' text of each table's body rows, by table id. */
  tables: Record<string, string[][]>
  /** Text of the element with each id (outside tables). */
  ids: Record<string, string>
  counts: Record<string, string>
  title: string
  errors: string[]
}

// Python's html.parser, not our own code, reads the page back: tags, attributes and cell text
// with the entities decoded.
const PARSE = `
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []; self.tables = {}; self.ids = {}; self.counts = {}; self.title = ''
        self.stack = []; self.table = None; self.in_body = False; self.row = None; self.cell = None
        self.id_stack = []; self.count = None; self.in_title = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs); self.tags.append([tag, a])
        if tag == 'table': self.table = a.get('id'); self.tables[self.table] = []
        if tag == 'tbody': self.in_body = True
        if tag == 'tr' and self.in_body: self.row = []
        if tag == 'td' and self.row is not None: self.cell = ''
        if tag == 'title': self.in_title = True
        if 'data-count' in a: self.count = a['data-count']; self.counts[self.count] = ''
        if 'id' in a and tag != 'table': self.id_stack.append([tag, a['id'], '']) 
    def handle_endtag(self, tag):
        if tag == 'td' and self.cell is not None: self.row.append(self.cell); self.cell = None
        if tag == 'tr' and self.row is not None: self.tables[self.table].append(self.row); self.row = None
        if tag == 'tbody': self.in_body = False
        if tag == 'title': self.in_title = False
        if tag == 'span': self.count = None
        if self.id_stack and self.id_stack[-1][0] == tag:
            t, i, text = self.id_stack.pop(); self.ids[i] = text
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
        if self.count is not None: self.counts[self.count] += data
        if self.in_title: self.title += data
        for entry in self.id_stack: entry[2] += data
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read() if len(sys.argv) > 1 else sys.stdin.read()); p.close()
print(json.dumps({'tags': p.tags, 'tables': p.tables, 'ids': p.ids, 'counts': p.counts, 'title': p.title, 'errors': []}))
`

const tools = requireTool('python3')

function parse(plan: SetupPlan): ParsedPage {
  return JSON.parse(execFileSync('python3', ['-c', PARSE], {input: renderPlanHtml(plan), encoding: 'utf8'})) as ParsedPage
}

const ESCAPED_HOSTILE = `<script>alert("x")</script>&'"\\x1b[31m\\u202eexe.txt\\x00]]>`

tools.describe('renderPlanHtml: the self-contained HTML report of a plan', () => {
  it('one row per difference: each field of an update, each create, delete and unmanaged resource', () => {
    const page = parse(everyActionPlan())
    expect(page.tables.differences).toEqual([
      ['group', 'Finance laptops', 'create', '(whole resource)', '(absent)', '(as the file says)', 'tenant/atpctl.yaml:8:5'],
      ['collection', ESCAPED_HOSTILE, 'update', 'rules', '["os:windows"]', '["os:windows", "name:web-*"]', 'tenant/atpctl.yaml:14:5'],
      ['collection', ESCAPED_HOSTILE, 'update', 'limitTo', '(none)', '"All servers"', 'tenant/atpctl.yaml:14:5'],
      ['policy', 'Servers onboarding', 'update', 'workspaceKey', '(secret)', '(secret)', 'tenant/atpctl.yaml:30:5'],
      ['deployment', 'Servers onboarding -> All servers', 'create', '(whole resource)', '(absent)', '(as the file says)', 'tenant/atpctl.yaml:38:9'],
      ['edr-profile', 'Old EDR', 'delete', '(whole resource)', '(present)', '(absent)', ''],
      ['access-policy', 'Legacy block', 'unmanaged', '(whole resource)', '(present)', '(not in the file)', ''],
    ])
  })

  it('a create that lists the fields the file sets shows each with no current value', () => {
    const plan = everyActionPlan({resources: [{kind: 'group', name: 'g', action: 'create', fields: [{field: 'description', current: undefined, desired: 'Finance'}]}]})
    expect(parse(plan).tables.differences).toEqual([['group', 'g', 'create', 'description', '(absent)', '"Finance"', '']])
  })

  it('the summary shows the counts of each action, the profile, backend, file and when', () => {
    const page = parse(everyActionPlan())
    expect(page.counts).toEqual({create: '2', update: '2', delete: '1', unchanged: '2', unmanaged: '1'})
    expect(page.ids.about).toContain('Profileprod')
    expect(page.ids.about).toContain('Backendlocal')
    expect(page.ids.about).toContain('Filetenant/atpctl.yaml')
    expect(page.ids.about).toContain('When2026-12-02T10:00:00.000Z')
    expect(page.ids.status).toBe('Drift: 5 resources differ from the file; 1 rule prediction would refuse apply.')
    expect(page.ids.unchanged).toContain('2 unchanged resources')
  })

  it('lists every prediction, saying which block apply', () => {
    expect(parse(everyActionPlan()).tables.predictions).toEqual([
      ['deployment', 'Servers onboarding -> All servers', 'DEVICES_MISSED', '3 devices in All servers would miss the policy: web-07 runs ConfigMgr 1902 (needs 2002).', 'note'],
      ['tenant', 'tenant', 'LOCATION_FIXED', 'The tenant is in eu, the file says us; a tenant location is never changed.', 'blocks apply'],
    ])
  })

  it('is self-contained: no script, no external resource, a policy that forbids fetching anything', () => {
    const html = renderPlanHtml(everyActionPlan())
    const page = parse(everyActionPlan())
    const tags = page.tags.map(([t]) => t)
    for (const forbidden of ['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'form', 'svg']) expect(tags).not.toContain(forbidden)
    for (const [, attrs] of page.tags) {
      expect(Object.keys(attrs).filter((a) => ['src', 'href', 'srcset', 'action', 'background', 'poster'].includes(a) || a.startsWith('on'))).toEqual([])
    }

    expect(html).not.toMatch(/url\(|@import|@font-face|https?:\/\//i)
    const csp = page.tags.find(([t, a]) => t === 'meta' && a['http-equiv'] === 'Content-Security-Policy')
    expect(csp?.[1].content).toBe("default-src 'none'; style-src 'unsafe-inline'")
  })

  it('hostile names are text: escaped markup, quotes in attributes, controls and bidi overrides shown escaped', () => {
    const html = renderPlanHtml(everyActionPlan())
    expect(html).not.toContain('<script>')
    expect(html).not.toMatch(/[\u0000\u001B\u202E]/)
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&quot;\\x1b[31m\\u202eexe.txt\\x00]]&gt;')
    const plan = everyActionPlan({file: `x" onload="alert(1)`, profile: '</title><script>', resources: [], predictions: []})
    const page = parse(plan)
    expect(page.title).toBe('atpctl validate: x" onload="alert(1) (profile </title><script>)')
    expect(page.tags.map(([t]) => t)).not.toContain('script')
    expect(htmlEscape(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;')
  })

  it('a plan with no difference says so and has no difference rows', () => {
    const page = parse(cleanPlan())
    expect(page.tables.differences).toBeUndefined()
    expect(page.ids['no-differences']).toBe('No differences.')
    expect(page.ids.status).toBe('No drift: the tenant matches the file.')
    expect(page.counts).toEqual({create: '0', update: '0', delete: '0', unchanged: '2', unmanaged: '0'})
  })
})
