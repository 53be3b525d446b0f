// Issue 11 item 6: `device list --json` of 1,000,000 devices goes out page by page, so what it
// holds is one page, not the inventory:
// - with the JavaScript heap capped at 64 MB (1,000,000 devices as objects take over 1 GB), it
//   completes, and its peak RSS is within 1.25x of `device list --limit 1 --json` (start-up plus
//   one page, same cap) plus the 256 MB SQLite maps of the database file for reading (mmap_size,
//   src/backends/local/database.ts: file pages, which a whole-inventory read touches);
// - without a cap (context): V8 lets garbage grow before collecting, so the peak is higher;
// - throughput (devices/s) against the sqlite3 tool writing the device view as JSON (context:
//   atpctl also computes each device's onboarding state and health).
import {spawnSync} from 'node:child_process'
import {closeSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, run, tempHome} from '../lib.js'

const DEVICES = 1_000_000
/** SQLite's mmap_size of the embedded backend, in MB. */
const MMAP_MB = 256

/** Runs atpctl with stdout to /dev/null; returns its time and peak RSS (recorded by a preload at exit). */
function measured(home, args, heapMb) {
  const preload = join(home, 'rss.cjs')
  const rssFile = join(home, 'rss.txt')
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)))\n`)
  const out = openSync('/dev/null', 'w')
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [BIN, ...args], {
    stdio: ['ignore', out, 'pipe'],
    env: {...process.env, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1', NODE_OPTIONS: `--require ${preload}${heapMb ? ` --max-old-space-size=${heapMb}` : ''}`},
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  closeSync(out)
  if (result.status !== 0) throw new Error(`atpctl ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return {ms, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024}
}

export default async function devicePages() {
  const home = tempHome('atpctl-bench-pages-')
  try {
    const csv = join(home, 'inventory.csv')
    const lines = ['name,os,version,managedBy,collections,lastSeen']
    const seen = new Date(Date.now() - 3_600_000).toISOString()
    for (let i = 0; i < DEVICES; i++) lines.push(`host-${String(i).padStart(7, '0')},Windows 10 Enterprise,10.0.19045,configmgr,Fleet;Site-${i % 4},${seen}`)
    writeFileSync(csv, lines.join('\n') + '\n')
    run(home, ['init', '--location', 'us'])
    run(home, ['device', 'import', csv])
    rmSync(csv)
    spawnSync('sync')

    const one = measured(home, ['device', 'list', '--limit', '1', '--json'], 64)
    const capped = measured(home, ['device', 'list', '--json'], 64)
    const all = measured(home, ['device', 'list', '--json'])
    const db = join(home, 'profiles', 'default', 'tenant.db')
    const start = process.hrtime.bigint()
    const sqlite = spawnSync('sqlite3', [db], {input: '.mode json\nSELECT * FROM device_v ORDER BY name;\n', stdio: ['pipe', 'ignore', 'pipe']})
    const sqliteMs = Number(process.hrtime.bigint() - start) / 1e6
    if (sqlite.status !== 0) throw new Error(`sqlite3 exited ${sqlite.status}: ${sqlite.stderr}`)
    const rate = (ms) => DEVICES / (ms / 1000)
    return [
      {
        name: `device list --json, ${DEVICES} devices, 64 MB heap: peak RSS`,
        value: capped.rssMb,
        unit: 'MB',
        baseline: '--limit 1 run + 256 MB file map',
        baselineValue: one.rssMb + MMAP_MB,
        ratio: capped.rssMb / (one.rssMb + MMAP_MB),
        target: '<= 1.25x',
        pass: capped.rssMb / (one.rssMb + MMAP_MB) <= 1.25,
      },
      {
        name: `device list --json, ${DEVICES} devices, default heap: peak RSS (context)`,
        value: all.rssMb,
        unit: 'MB',
        baseline: 'device list --limit 1 --json',
        baselineValue: one.rssMb,
        ratio: all.rssMb / one.rssMb,
      },
      {
        name: `device list --json, ${DEVICES} devices: throughput (context)`,
        value: rate(all.ms),
        unit: 'devices/s',
        baseline: 'sqlite3 json of device_v',
        baselineValue: rate(sqliteMs),
        ratio: sqliteMs / all.ms,
      },
    ]
  } finally {
    rmSync(home, {recursive: true, force: true})
  }
}
