// `node bench/against.js DIR [CASE…]`: runs every bench case of this checkout and of another built
// checkout DIR (e.g. a worktree of the previous main), alternating case by case so a machine that
// slows down during the run affects both alike, and prints each row of both with the change.
// A row more than 10% worse than the other checkout's is flagged (issue 11's bench rule).
// `--rounds N` (or BENCH_ROUNDS) runs each case N times per checkout, alternating, and compares
// the medians: on a shared machine one run of a case can be 30% off either way.
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {ROOT} from './lib.js'

const args = process.argv.slice(2)
const roundsAt = args.indexOf('--rounds')
const rounds = Math.max(1, Number(roundsAt >= 0 ? args.splice(roundsAt, 2)[1] : (process.env.BENCH_ROUNDS ?? 1)) || 1)
const [other, ...only] = args
if (!other) {
  console.error('usage: node bench/against.js DIR [--rounds N] [CASE…]   (DIR: another built atpctl checkout)')
  process.exit(2)
}

const otherRoot = resolve(other)
const cases = (root) => readdirSync(join(root, 'bench', 'cases')).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, ''))
const names = cases(ROOT).filter((n) => only.length === 0 || only.some((o) => n.includes(o)))
const theirs = new Set(cases(otherRoot))

/** Runs one case of a checkout and returns its rows as {name → measured value (number) and unit}. */
function runCase(root, name) {
  const result = spawnSync(process.execPath, [join(root, 'bench', 'run.js'), name], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024})
  const rows = new Map()
  for (const line of result.stdout.split('\n').slice(2)) {
    const cells = line.split(/ {2,}/)
    if (cells.length < 2) continue
    const match = /^([\d.]+) (.+)$/.exec(cells[1])
    if (match) rows.set(cells[0], {value: Number(match[1]), unit: match[2]})
  }

  return rows
}

/** Each row's median over the rounds (rows a round did not print are left out of it). */
function medianRows(runs) {
  const rows = new Map()
  for (const [row, m] of runs[0]) {
    const values = runs.map((r) => r.get(row)).filter((v) => v && v.unit === m.unit).map((v) => v.value).sort((a, b) => a - b)
    const mid = Math.floor(values.length / 2)
    rows.set(row, {value: values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2, unit: m.unit})
  }

  return rows
}

// Units where a bigger number is better; everything else (ms, MB, calls) is better smaller.
const higherIsBetter = (unit) => /\/s$/.test(unit)
const out = [['case', 'this checkout', 'other checkout', 'change', 'ok']]
let worse = 0
for (const name of names) {
  if (!theirs.has(name)) {
    process.stderr.write(`bench: ${name} exists only here\n`)
    for (const [row, m] of runCase(ROOT, name)) out.push([row, `${m.value} ${m.unit}`, '-', 'new', '-'])
    continue
  }

  const mineRuns = []
  const baseRuns = []
  for (let round = 0; round < rounds; round++) {
    mineRuns.push(runCase(ROOT, name))
    baseRuns.push(runCase(otherRoot, name))
  }

  const mine = medianRows(mineRuns)
  const base = medianRows(baseRuns)
  for (const [row, m] of mine) {
    const b = base.get(row)
    if (!b || b.unit !== m.unit || b.value === 0) {
      out.push([row, `${m.value} ${m.unit}`, b ? `${b.value} ${b.unit}` : '-', 'new', '-'])
      continue
    }

    const change = higherIsBetter(m.unit) ? b.value / m.value - 1 : m.value / b.value - 1
    const ok = change <= 0.1
    if (!ok) worse++
    out.push([row, `${m.value} ${m.unit}`, `${b.value} ${b.unit}`, `${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}% ${change > 0 ? 'worse' : 'better'}`, ok ? 'yes' : 'NO'])
  }
}

const widths = out[0].map((_, i) => Math.max(...out.map((r) => r[i].length)))
for (const [i, r] of out.entries()) {
  console.log(r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd())
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}

console.log(`${worse} rows more than 10% worse than ${otherRoot}${rounds > 1 ? ` (medians of ${rounds} rounds)` : ''}`)
