import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'

const DEVICES = 200_000
/** A JavaScript heap far too small for 200,000 devices at once (they take over 200 MB as objects). */
const HEAP_MB = 48
/** Peak resident memory allowed: the heap above, Node itself, and SQLite's page cache. */
const MAX_RSS_MB = 200

/**
 * Runs `atpctl ARGS` with a capped heap and a preload that records the process's peak RSS at
 * exit; reads stdout as it comes (counting, keeping the tail), never holding it whole.
 */
function listWithBoundedHeap(args: string[], home: string): Promise<{code: number; stderr: string; bytes: number; names: number; tail: string; maxRssKb: number}> {
  const preload = join(home, 'rss.cjs')
  const rssFile = join(home, 'rss.txt')
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)))\n`)
  return new Promise((resolve, reject) => {
    const cli = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), ...args], {
      cwd: home,
      env: {PATH: process.env.PATH, HOME: home, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1', NODE_OPTIONS: `--max-old-space-size=${HEAP_MB} --require ${preload}`},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let bytes = 0
    let names = 0
    let carry = ''
    let stderr = ''
    cli.stdout.on('data', (d: Buffer) => {
      bytes += d.length
      const text = carry + d.toString('latin1')
      names += text.split('"name": "host-').length - 1
      // Keep enough to find a marker cut between two reads, and the tail.
      const keep = Math.min(text.length, 256)
      names -= text.slice(-keep).split('"name": "host-').length - 1
      carry = text.slice(-keep)
    })
    cli.stderr.on('data', (d) => (stderr += d))
    cli.on('error', reject)
    cli.on('close', (code) => {
      names += carry.split('"name": "host-').length - 1
      resolve({code: code ?? -1, stderr, bytes, names, tail: carry, maxRssKb: Number(readFileSync(rssFile, 'utf8'))})
    })
  })
}

describe('device list --json pages through the inventory in bounded memory (issue 11 item 6)', () => {
  const {home, cleanup} = tempHome('atpctl-pages-e2e-')
  beforeAll(async () => {
    const lines = ['name,os,version,managedBy']
    for (let i = 0; i < DEVICES; i++) lines.push(`host-${String(i).padStart(6, '0')},Windows 10 Enterprise,10.0.19045,configmgr`)
    writeFileSync(join(home, 'inventory.csv'), lines.join('\n') + '\n')
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    expect((await runCli(['device', 'import', 'inventory.csv'], {home})).code).toBe(0)
  }, 180_000)
  afterAll(cleanup)

  it(`lists all ${DEVICES.toLocaleString('en')} devices with a ${HEAP_MB} MB heap, peak RSS under ${MAX_RSS_MB} MB, exit 0`, async () => {
    const result = await listWithBoundedHeap(['device', 'list', '--json'], home)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.names).toBe(DEVICES)
    expect(result.tail).toMatch(/\n {4}\}\n {2}\]\n\}\n$/)
    expect(result.bytes).toBeGreaterThan(DEVICES * 300)
    // Reported for the record (the bench has the 1,000,000-device figure).
    process.stdout.write(`device list --json of ${DEVICES} devices: peak RSS ${Math.round(result.maxRssKb / 1024)} MB\n`)
    expect(result.maxRssKb).toBeLessThan(MAX_RSS_MB * 1024)
  }, 180_000)

  it('a table stops at the default limit and says on stderr that more exist; a bad --limit is exit 2', async () => {
    const table = await runCli(['device', 'list', '--health', 'not-onboarded'], {home})
    expect(table.code).toBe(0)
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(1001)
    expect(table.stderr).toBe('… more not shown (this is the first 1000); use --limit N to see more, or --json.\n')
    const limited = await runCli(['device', 'list', '--limit', '3', '--json'], {home})
    expect(limited.json().devices.map((d: {name: string}) => d.name)).toEqual(['host-000000', 'host-000001', 'host-000002'])
    expect(limited.stderr).toBe('')
    expect((await runCli(['device', 'list', '--limit', '0'], {home})).code).toBe(2)
  }, 60_000)
})
