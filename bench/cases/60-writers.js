// Issue 15 item 9: parallel writers queue on the tenant database instead of failing.
// 16 and 64 atpctl processes at once (token mint, collection create, device import of a
// one-row file, in turn), against the same writes run one after another as the baseline.
// Target: no failure at all; the wall time is reported against the sequential run.
import {spawn} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, run, tempHome} from '../lib.js'

function writerArgs(dir, i) {
  switch (i % 3) {
    case 0:
      return ['token', 'mint', '--provider', 'sentinelone', '--json']
    case 1:
      return ['collection', 'create', `bench-${i}`, '--json']
    default: {
      const file = join(dir, `inv-${i}.csv`)
      writeFileSync(file, `name,os,version\nbench-${i},Windows 10 Enterprise,10.0.19045\n`)
      return ['device', 'import', file, '--json']
    }
  }
}

function start(home, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: {...process.env, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('close', (code) => resolve({code, output}))
  })
}

async function timedWriters(dir, n, parallel) {
  const home = join(dir, `${parallel ? 'parallel' : 'sequential'}-${n}`)
  run(home, ['init', '--location', 'us'])
  run(home, ['integration', 'enable', 'third-party', '--provider', 'sentinelone'])
  const args = Array.from({length: n}, (_, i) => writerArgs(dir, i))
  const begin = process.hrtime.bigint()
  let results = []
  if (parallel) results = await Promise.all(args.map((a) => start(home, a)))
  else for (const a of args) results.push(await start(home, a))
  const ms = Number(process.hrtime.bigint() - begin) / 1e6
  const failed = results.filter((r) => r.code !== 0)
  if (failed.length > 0) process.stderr.write(`bench: ${failed.length} of ${n} writers failed, first: ${failed[0].output.slice(0, 300)}\n`)
  const verify = JSON.parse(run(home, ['audit', 'verify', '--json']))
  return {ms, failures: failed.length, records: verify.records}
}

export default async function writers() {
  const dir = tempHome('atpctl-bench-writers-')
  try {
    const rows = []
    for (const n of [16, 64]) {
      const sequential = await timedWriters(dir, n, false)
      const parallel = await timedWriters(dir, n, true)
      // init (tenant) + integration + one record per writer: every write is there and audited.
      const complete = parallel.records === n + 2
      rows.push({
        name: `${n} parallel writers: ${parallel.failures} failed, ${parallel.records - 2}/${n} audited`,
        value: parallel.ms,
        unit: 'ms',
        baseline: `${n} one after another`,
        baselineValue: sequential.ms,
        ratio: parallel.ms / sequential.ms,
        target: '0 failed',
        pass: parallel.failures === 0 && sequential.failures === 0 && complete,
      })
    }

    return rows
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
