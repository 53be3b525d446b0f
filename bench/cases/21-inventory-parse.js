// Issue 15 item 8 and issue 16 targets for turning inventory bytes into records:
// - the CSV reader is linear in its input: a record of a quoted field followed by an 8 MiB
//   unquoted field (62 s and 1.1 GB before) costs about 8x the same record at 1 MiB (<= 1.5x of
//   that), read in the 64 KiB chunks of the import, with the size limits lifted;
// - `device import` of that 8 MiB record is refused by the field limit about as fast as a
//   two-row import runs (<= 2x), instead of parsing it first;
// - a PowerShell 5.1 `Export-Csv -Encoding Unicode` file (UTF-16 LE, `#TYPE` line, every field
//   quoted, CRLF) is decoded and parsed within 2x of the same rows as plain UTF-8 CSV.
// The in-process cases use CPU time (process.cpuUsage), which a busy machine disturbs less.
import {spawnSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {CsvReader} from '../../dist/core/device/csv.js'
import {InventoryDecoder, sniffEncoding} from '../../dist/core/device/text.js'
import {BIN, median, run, tempHome} from '../lib.js'

const MiB = 1 << 20
const CHUNK = 1 << 16
const ROWS = 100_000

/** CPU ms of fn(), median of `runs` after one warm-up. */
function cpu(fn, runs = 5) {
  const times = []
  for (let i = 0; i <= runs; i++) {
    const start = process.cpuUsage()
    fn()
    const used = process.cpuUsage(start)
    if (i > 0) times.push((used.user + used.system) / 1000)
  }

  return median(times)
}

/** Reads text through the CSV reader in import-sized chunks; returns the record count. */
function parse(text, options) {
  const reader = new CsvReader(options)
  let records = 0
  for (let i = 0; i < text.length; i += CHUNK) records += reader.push(text.slice(i, i + CHUNK)).length
  return records + reader.end().length
}

/** Decodes bytes and reads them, as `device import` does. */
function decodeAndParse(bytes) {
  const {encoding, bom} = sniffEncoding(bytes)
  const decoder = new InventoryDecoder(encoding, bom)
  const reader = new CsvReader({delimiter: 'sniff'})
  let records = 0
  for (let i = 0; i < bytes.length; i += CHUNK) records += reader.push(decoder.write(bytes.subarray(i, i + CHUNK))).length
  decoder.end()
  if (decoder.failure) throw decoder.failure
  return records + reader.end().length
}

const longRecord = (size) => `name,os\n"PC-1",${'x'.repeat(size)}\n`

/** Wall ms of a CLI run that must exit with `status`; median of `runs` after one warm-up. */
function wall(home, args, status, runs = 5) {
  const times = []
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint()
    const r = spawnSync(process.execPath, [BIN, ...args], {env: {...process.env, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'}, encoding: 'utf8'})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (r.status !== status) throw new Error(`atpctl ${args.join(' ')} exited ${r.status}, not ${status}: ${r.stderr}`)
    if (i > 0) times.push(ms)
  }

  return median(times)
}

export default async function inventoryParse() {
  const rows = []
  const ratioRow = (name, value, unit, baseline, baselineValue, target) => ({
    name,
    value,
    unit,
    baseline,
    baselineValue,
    ratio: value / baselineValue,
    target: `<= ${target}x`,
    pass: value / baselineValue <= target,
  })

  // 1. Linear reading of the record that was quadratic.
  const unlimited = {maxFieldChars: 64 * MiB, maxRecordChars: 64 * MiB}
  const small = longRecord(MiB)
  const big = longRecord(8 * MiB)
  if (parse(big, unlimited) !== 2) throw new Error('the 8 MiB record was not read as one record')
  const smallMs = cpu(() => parse(small, unlimited), 9)
  const bigMs = cpu(() => parse(big, unlimited))
  rows.push(ratioRow('CSV reader: "quoted",+8 MiB unquoted field (limits lifted)', bigMs, 'ms', '8 x the 1 MiB record', 8 * smallMs, 1.5))

  // 2. The CLI refuses that record by the field limit, about as fast as a tiny import.
  const dir = tempHome('atpctl-bench-inventory-')
  try {
    run(dir, ['init', '--location', 'us'])
    const longFile = join(dir, 'long.csv')
    const tinyFile = join(dir, 'tiny.csv')
    writeFileSync(longFile, big)
    writeFileSync(tinyFile, 'name,os\nPC-1,Windows 10 Enterprise\nPC-2,Windows 11 Enterprise\n')
    const refusedMs = wall(dir, ['device', 'import', longFile], 7)
    const tinyMs = wall(dir, ['device', 'import', tinyFile], 0)
    rows.push(ratioRow('device import of the 8 MiB field: refused (exit 7)', refusedMs, 'ms', 'device import of 2 rows', tinyMs, 2))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }

  // 3. PowerShell 5.1 export (UTF-16 LE, #TYPE, all quoted, CRLF) against the same rows as UTF-8.
  const lines = ['name,os,version,managedBy,collections,user,groups,lastSeen']
  for (let i = 0; i < ROWS; i++) {
    lines.push(`host-${String(i).padStart(6, '0')},Windows 10 Enterprise,10.0.19045,configmgr,Fleet;Site-${i % 4},user${i % 5000}@contoso.com,Dept-${i % 12},2026-11-20T08:00:00.000Z`)
  }

  const plain = Buffer.from(lines.join('\n') + '\n', 'utf8')
  const quoted = ['#TYPE System.Management.Automation.PSCustomObject', ...lines.map((l) => l.split(',').map((f) => `"${f}"`).join(','))].join('\r\n') + '\r\n'
  const powershell = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(quoted, 'utf16le')])
  if (decodeAndParse(powershell) !== ROWS + 1 || decodeAndParse(plain) !== ROWS + 1) throw new Error('the PowerShell export was not read row for row')
  const psMs = cpu(() => decodeAndParse(powershell))
  const plainMs = cpu(() => decodeAndParse(plain))
  rows.push(ratioRow(`decode+parse ${ROWS} rows: PowerShell 5.1 Export-Csv (UTF-16 LE, quoted)`, psMs, 'ms', 'same rows as UTF-8 CSV', plainMs, 2))
  return rows
}
