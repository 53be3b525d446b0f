// `npm run bench`: runs every case in bench/cases (or those named on the command line) and
// prints one table. Each case measures its own baseline in the same run and reports ratios.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {ROOT} from './lib.js'

const only = process.argv.slice(2)
const dir = join(ROOT, 'bench', 'cases')
const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort()
const rows = []
let failed = false
for (const file of files) {
  const name = file.replace(/\.js$/, '')
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue
  process.stderr.write(`bench: ${name}...\n`)
  const {default: benchCase} = await import(pathToFileURL(join(dir, file)).href)
  // A case returns rows: {name, value, unit, baseline, baselineValue, ratio, target, pass}
  for (const row of await benchCase()) {
    rows.push(row)
    if (row.pass === false) failed = true
  }
}

const header = ['case', 'measured', 'baseline', 'ratio', 'target', 'ok']
const table = rows.map((r) => [
  r.name,
  `${r.value.toFixed(r.value < 10 ? 2 : 0)} ${r.unit}`,
  r.baseline ? `${r.baseline} = ${r.baselineValue.toFixed(r.baselineValue < 10 ? 2 : 0)} ${r.unit}` : '-',
  r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
  r.target ?? '-',
  r.pass === undefined ? '-' : r.pass ? 'yes' : 'NO',
])
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)))
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const r of table) console.log(line(r))
process.exitCode = failed ? 1 : 0
