// Issue 3 targets: `atpctl package inspect` of a 200 MB zip with many entries keeps peak memory
// under 100 MB (streaming, no whole-file buffering) and runs at least half the speed of
// `unzip -t` on the same file (time <= 2x), both measured here in the same run.
import {spawnSync} from 'node:child_process'
import {readdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, median, run, tempHome} from '../lib.js'

const TARGET_BYTES = 200 * 1024 * 1024
const ENTRY_BYTES = 96 * 1024

/** Python's zipfile writes the big zip entry by entry (streaming): the package's files plus filler. */
const MAKE_ZIP = `
import os, sys, zipfile, base64
src, out, target, entry = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with zipfile.ZipFile(src) as pkg, zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    for name in pkg.namelist():
        z.writestr(name, pkg.read(name))
    i = 0
    while os.path.getsize(out) < target:
        # base64 of random bytes: text-like, deflates to about 75%
        z.writestr('logs/%05d/sensor-%06d.log' % (i // 500, i), base64.b64encode(os.urandom(entry * 3 // 4)))
        i += 1
        if i % 256 == 0:
            z.fp.flush()
print(i)
`

/** Runs a command `runs` times; returns median wall ms and the max RSS (MB) reported via the preload. */
function measure(cmd, args, {runs, env = {}} = {}) {
  const times = []
  let rssKb = 0
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint()
    const r = spawnSync(cmd, args, {env: {...process.env, ...env}, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    const m = /MAXRSS_KB (\d+)/.exec(r.stderr)
    if (m) rssKb = Math.max(rssKb, Number(m[1]))
    if (i > 0) times.push(ms) // the first run warms the page cache
  }

  return {ms: median(times), rssMb: rssKb / 1024}
}

export default async function packageInspect() {
  const home = tempHome('atpctl-bench-pkg-')
  try {
    run(home, ['init', '--location', 'eu'])
    const pkg = join(home, 'pkg.zip')
    run(home, ['package', 'generate', 'onboarding', '--os', 'windows', '--method', 'group-policy', '--out', pkg])
    const big = join(home, 'big.zip')
    const made = spawnSync('python3', ['-c', MAKE_ZIP, pkg, big, String(TARGET_BYTES), String(ENTRY_BYTES)], {encoding: 'utf8'})
    if (made.status !== 0) throw new Error(`could not build the bench zip: ${made.stderr}`)
    const entries = Number(made.stdout.trim()) + 3
    // Peak memory of the CLI process itself, reported at exit by a preloaded hook.
    const preload = join(home, 'maxrss.cjs')
    writeFileSync(preload, "process.on('exit', () => process.stderr.write('\\nMAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'))\n")
    const unzip = measure('unzip', ['-tqq', big], {runs: 3})
    const inspect = measure(process.execPath, ['--require', preload, BIN, 'package', 'inspect', big, '--json'], {runs: 3, env: {ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'}})
    const label = `package inspect ${Math.round(TARGET_BYTES / 1024 / 1024)} MB zip, ${entries} entries`
    return [
      {name: label, value: inspect.ms, unit: 'ms', baseline: 'unzip -t', baselineValue: unzip.ms, ratio: inspect.ms / unzip.ms, target: '<= 2x (half unzip speed)', pass: inspect.ms / unzip.ms <= 2},
      {name: `${label}: peak RSS`, value: inspect.rssMb, unit: 'MB', target: '< 100 MB', pass: inspect.rssMb < 100},
    ]
  } finally {
    for (const f of readdirSync(home)) rmSync(join(home, f), {recursive: true, force: true})
    rmSync(home, {recursive: true, force: true})
  }
}
