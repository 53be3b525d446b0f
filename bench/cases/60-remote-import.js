// Issue 15: `device import` of a 1,000,000-row inventory through `atpctl serve` (default
// settings, the remote backend streaming NDJSON into one transaction on the server) against the
// same import into the embedded backend, timed in alternation in the same run (target: at most
// 2x). Also reported: the peak RSS of the importing client and of the server process (its
// database thread included), so bounded memory is visible. BENCH_IMPORT_ROWS changes the size.
import {spawn, spawnSync} from 'node:child_process'
import {cpSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, median, run, tempHome} from '../lib.js'

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000)
const PAIRS = Number(process.env.BENCH_IMPORT_PAIRS ?? 2)
const DAY = 86_400_000

// Prints the process's peak RSS (KiB) on stderr as it exits.
const PEAK_RSS = `data:text/javascript,${encodeURIComponent('import {writeSync} from "node:fs"; process.on("exit", () => writeSync(2, `\\npeak-rss-kib ${process.resourceUsage().maxRSS}\\n`))')}`

const KINDS = [
  ...Array(40).fill(['Windows 10 Enterprise', '10.0.19045', 'configmgr']),
  ...Array(15).fill(['Windows 11 Enterprise', '23H2', 'configmgr;intune']),
  ...Array(15).fill(['Windows Server 2019 Standard', '10.0.17763', 'configmgr']),
  ...Array(10).fill(['Microsoft Windows Server 2016 Datacenter', '10.0.14393', 'configmgr']),
  ...Array(8).fill(['Windows Server 2012 R2 Standard', '6.3.9600', 'configmgr']),
  ...Array(9).fill(['Windows 8.1 Pro', '6.3.9600', 'configmgr']),
  ['Ubuntu 22.04', '', 'defender-for-cloud'],
  ['macOS 14.4', '', 'third-party:sentinelone'],
]

function writeInventory(file) {
  const now = Date.now()
  const lines = ['name,os,version,managedBy,environment,subscription,collections,user,groups,lastSeen,sensorService,otherFanotifySolution,previousInstall']
  for (let i = 0; i < ROWS; i++) {
    const [os, version, managedBy] = KINDS[i % KINDS.length]
    const seen = new Date(now - (i % 10) * DAY).toISOString()
    lines.push(`host-${String(i).padStart(7, '0')},${os},${version},${managedBy},on-premises,,Fleet;Site-${i % 4},user${i % 5000}@contoso.com,Dept-${i % 12},${seen},running,false,false`)
  }

  writeFileSync(file, lines.join('\n') + '\n')
}

const env = (home) => ({...process.env, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'})
const peakMb = (stderr) => Number(/peak-rss-kib (\d+)/.exec(stderr)?.[1] ?? Number.NaN) / 1024

/** One import, timed; returns its wall time and the client's peak RSS. */
function importOnce(home, csv, extra = []) {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, ['--import', PEAK_RSS, BIN, 'device', 'import', csv, '--json', ...extra], {env: env(home), encoding: 'utf8', maxBuffer: 1 << 26})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`device import exited ${result.status}: ${result.stderr}`)
  const {summary} = JSON.parse(result.stdout)
  if (summary.created !== ROWS) throw new Error(`imported ${summary.created} of ${ROWS} rows`)
  return {ms, rssMb: peakMb(result.stderr)}
}

/** `atpctl serve --port 0` with default limits; resolves with its URL and a stop() giving its peak RSS. */
function startServe(home) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PEAK_RSS, BIN, 'serve', '--port', '0', '--access-log', join(home, 'access.jsonl')], {env: env(home), stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`serve did not start within 30 s:\n${stderr}`))
    }, 30_000)
    const exited = new Promise((r) => child.on('close', r))
    child.stderr.on('data', (d) => {
      stderr += d
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (match && timer) {
        clearTimeout(timer)
        resolve({
          url: match[1],
          async stop() {
            child.kill('SIGTERM')
            await exited
            return peakMb(stderr)
          },
        })
      }
    })
    child.on('error', reject)
  })
}

export default async function remoteImport() {
  const dir = tempHome('atpctl-bench-remote-import-')
  try {
    const csv = join(dir, 'inventory.csv')
    writeInventory(csv)
    const template = join(dir, 'template')
    run(template, ['init', '--location', 'us'])
    run(template, ['apikey', 'create', '--name', 'bench', '--role', 'owner', '--out', join(dir, 'owner.key')])

    const embedded = []
    const remote = []
    for (let i = 0; i < PAIRS; i++) {
      const localHome = join(dir, `embedded-${i}`)
      cpSync(template, localHome, {recursive: true})
      const serverHome = join(dir, `served-${i}`)
      cpSync(template, serverHome, {recursive: true})
      spawnSync('sync')
      const server = await startServe(serverHome)
      run(serverHome, ['init', '--remote', server.url, '--api-key-file', join(dir, 'owner.key'), '--profile', 'remote'])
      // Alternate which side goes first, so drift of a shared machine hits both alike.
      const sides = [() => embedded.push(importOnce(localHome, csv)), () => remote.push({...importOnce(serverHome, csv, ['--profile', 'remote'])})]
      for (const side of i % 2 === 0 ? sides : sides.reverse()) {
        side()
        spawnSync('sync')
      }

      remote.at(-1).serverRssMb = await server.stop()
      rmSync(localHome, {recursive: true, force: true})
      rmSync(serverHome, {recursive: true, force: true})
    }

    const embeddedMs = median(embedded.map((r) => r.ms))
    const remoteMs = median(remote.map((r) => r.ms))
    const rows = ROWS.toLocaleString('en-US')
    const ratio = remoteMs / embeddedMs
    const max = (list, key) => Math.max(...list.map((r) => r[key]))
    return [
      {
        name: `device import ${rows} rows via serve`,
        value: remoteMs / 1000,
        unit: 's',
        baseline: 'embedded import',
        baselineValue: embeddedMs / 1000,
        ratio,
        target: '<= 2x',
        pass: ratio <= 2,
      },
      {name: `  peak RSS: client via serve`, value: max(remote, 'rssMb'), unit: 'MB', baseline: 'embedded import', baselineValue: max(embedded, 'rssMb')},
      {name: `  peak RSS: serve process`, value: max(remote, 'serverRssMb'), unit: 'MB'},
    ]
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

