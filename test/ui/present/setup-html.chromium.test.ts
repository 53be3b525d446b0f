/**
 * The HTML report of a plan opened in a real browser (issue 14): Debian's headless `chromium`
 * renders the page (`--dump-dom` gives the DOM after parsing and layout, `--screenshot` a
 * picture), the summary shows the counts and every difference is a row. Chromium runs with a
 * loopback proxy that counts requests, so anything the page fetched from the network would be
 * seen; a control page with an external image proves the counter sees one. Chromium's profile,
 * cache and HOME are a temporary folder, never the real home directory.
 *
 * Without chromium on PATH the tests are skipped with a notice; under CI (or
 * ATPCTL_REQUIRE_TOOLS=1) they fail instead (test/helpers/tools.ts). `.ci/run` installs it.
 */
import {execFile} from 'node:child_process'
import {createServer, type Server} from 'node:http'
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import type {AddressInfo, Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {renderPlanHtml} from '../../../src/ui/present/setup-html.js'
import type {SetupPlan} from '../../../src/core/tenant-file/plan-types.js'
import {requireTool} from '../../helpers/tools.js'
import {cleanPlan, everyActionPlan} from '../../helpers/setup-plans.js'

const withChromium = requireTool('chromium')

withChromium.describe('the HTML report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atpctl-chromium-'))
  /** What reached the proxy from the pages: request lines and CONNECT targets. */
  const seen: string[] = []
  // Chromium itself still asks its component updater and Google accounts whatever the flags
  // say; those exact hosts are the browser's, not the page's, and are left out (a page fetching
  // fonts.googleapis.com or any other host is still seen).
  const BROWSER_OWN = /^(?:CONNECT |[A-Z]+ http:\/\/)(?:update\.googleapis\.com|accounts\.google\.com|clients2\.google\.com)[:/]/
  const record = (line: string) => {
    if (!BROWSER_OWN.test(line)) seen.push(line)
  }
  const sockets = new Set<Socket>()
  let proxy: Server
  let proxyPort = 0

  beforeAll(async () => {
    proxy = createServer((req, res) => {
      record(`${req.method} ${req.url}`)
      res.writeHead(404).end()
    })
    proxy.on('connect', (req, socket: Socket) => {
      record(`CONNECT ${req.url}`)
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
    })
    proxy.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    proxyPort = (proxy.address() as AddressInfo).port
  })

  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => proxy.close(() => resolve()))
    rmSync(dir, {recursive: true, force: true})
  })

  let run = 0
  /** Runs chromium headless on a file with `args`; resolves with its stdout. */
  function chromium(file: string, args: string[]): Promise<string> {
    const home = join(dir, `home-${++run}`)
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      `--user-data-dir=${join(home, 'profile')}`,
      `--proxy-server=http://127.0.0.1:${proxyPort}`,
      // Loopback too goes through the proxy, so nothing at all can be fetched unseen.
      '--proxy-bypass-list=<-loopback>',
      // Chromium's own traffic (updates, sync, metrics) is off, so the proxy sees the page's only.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-default-apps',
      '--no-first-run',
      '--no-default-browser-check',
      '--metrics-recording-only',
      '--no-pings',
      '--disable-features=NetworkTimeServiceQuerying',
      '--window-size=1280,2000',
      ...args,
      pathToFileURL(file).href,
    ]
    const env = {...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache')}
    return new Promise((resolve, reject) => {
      execFile('chromium', flags, {env, encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
        if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`))
        else resolve(stdout)
      })
    })
  }

  function write(name: string, html: string): string {
    const file = join(dir, name)
    writeFileSync(file, html)
    return file
  }

  /** The rendered DOM's table with that id, as rows of cell texts (tbody only). */
  function bodyRows(dom: string, id: string): string[][] {
    const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(dom)
    if (!table) return []
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1])?.[1] ?? ''
    const text = (html: string) =>
      html
        .replace(/<[^>]+>/g, '')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
    return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => text(cell[1])))
  }

  const countOf = (dom: string, action: string) => new RegExp(`data-count="${action}">(\\d+)<`).exec(dom)?.[1]

  async function render(plan: SetupPlan, name: string): Promise<string> {
    const before = seen.length
    const dom = await chromium(write(name, renderPlanHtml(plan)), ['--dump-dom'])
    expect(seen.slice(before)).toEqual([])
    return dom
  }

  it('the proxy sees what a page fetches (the control for the checks below)', async () => {
    const before = seen.length
    const file = write('control.html', '<!DOCTYPE html><html><body><img src="http://reports.example.test/logo.png"><p>control</p></body></html>')
    const dom = await chromium(file, ['--dump-dom', '--virtual-time-budget=5000'])
    expect(dom).toContain('<p>control</p>')
    expect(seen.slice(before)).toEqual(expect.arrayContaining([expect.stringContaining('reports.example.test')]))
  })

  it('renders the plan: every difference is a row, the summary shows the counts, nothing is fetched', async () => {
    const plan = everyActionPlan()
    const dom = await render(plan, 'every-action.html')
    // Chromium serialises the DOM it built: the page parsed into the tables it was meant to be.
    const rows = bodyRows(dom, 'differences')
    const expected = plan.resources.filter((r) => r.action !== 'unchanged').reduce((n, r) => n + (r.action === 'update' || r.action === 'create' ? Math.max(1, r.fields.length) : 1), 0)
    expect(expected).toBe(7)
    expect(rows).toHaveLength(expected)
    expect(rows.map((r) => `${r[0]} ${r[2]} ${r[3]}`)).toEqual([
      'group create (whole resource)',
      'collection update rules',
      'collection update limitTo',
      'policy update workspaceKey',
      'deployment create (whole resource)',
      'edr-profile delete (whole resource)',
      'access-policy unmanaged (whole resource)',
    ])
    expect(rows[1][1]).toBe(`<script>alert("x")</script>&'"\\x1b[31m\\u202eexe.txt\\x00]]>`)
    expect(bodyRows(dom, 'predictions')).toHaveLength(2)
    for (const action of ['create', 'update', 'delete', 'unchanged', 'unmanaged'] as const) expect(countOf(dom, action)).toBe(String(plan.summary[action]))
    // The hostile name stayed text: no script element was built from it.
    expect(dom).not.toMatch(/<script/i)
    expect(dom).toContain('Drift: 5 resources differ from the file; 1 rule prediction would refuse apply.')
  })

  it('a plan without differences renders its summary and no difference row', async () => {
    const dom = await render(cleanPlan(), 'clean.html')
    expect(bodyRows(dom, 'differences')).toEqual([])
    expect(dom).toContain('No drift: the tenant matches the file.')
    expect(countOf(dom, 'unchanged')).toBe('2')
  })

  it('a hostile name that is markup for an external image fetches nothing', async () => {
    const plan = everyActionPlan({resources: [{kind: 'collection', name: '<img src="http://evil.example.test/x.png"><link rel=stylesheet href="https://evil.example.test/s.css">', action: 'create', fields: []}]})
    const before = seen.length
    const dom = await chromium(write('hostile.html', renderPlanHtml(plan)), ['--dump-dom', '--virtual-time-budget=5000'])
    expect(seen.slice(before)).toEqual([])
    expect(bodyRows(dom, 'differences')[0][1]).toBe('<img src="http://evil.example.test/x.png"><link rel=stylesheet href="https://evil.example.test/s.css">')
    expect(dom).not.toMatch(/<img|<link/i)
  })

  it('draws a picture of the page (a PNG screenshot)', async () => {
    const shot = join(dir, 'report.png')
    const before = seen.length
    await chromium(write('shot.html', renderPlanHtml(everyActionPlan())), [`--screenshot=${shot}`])
    expect(seen.slice(before)).toEqual([])
    const png = readFileSync(shot)
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
    // A blank page of 1280x2000 compresses to a few kilobytes; the tables and text make it larger.
    expect(statSync(shot).size).toBeGreaterThan(20_000)
  })
})
