// Issue 3 targets: `atpctl package inspect` of a 200 MB zip with many entries keeps peak memory
// under 100 MB (streaming, no whole-file buffering) and runs at least half the speed of
// `unzip -t` on the same file (time <= 2x), both measured here in the same run.
// Issue 15: hostile zips (a 1 MB zip of 1 GiB of zeros, a zip of 1,000,000 entries) are refused
// with peak memory no higher than inspecting the real, small package in the same run.
import {spawnSync} from 'node:child_process'
import {readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
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

/** A 1 MB deflate of 1 GiB of zeros (zip64 sizes), written as it is compressed. */
const MAKE_ZEROS = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    with z.open('WindowsDefenderATPOnboardingScript.cmd', 'w', force_zip64=True) as e:
        block = bytes(1 << 20)
        for _ in range(1024): e.write(block)
`

/** 1,000,000 stored one-byte entries, the records written directly (zipfile takes minutes for this). */
const MAKE_MANY = `
import sys, struct, zlib
n = int(sys.argv[2])
crc = zlib.crc32(b'x')
with open(sys.argv[1], 'wb') as f:
    central = []
    off = 0
    for i in range(n):
        name = b'e/%07d.log' % i
        local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0x21, crc, 1, 1, len(name), 0) + name + b'x'
        f.write(local)
        central.append(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, 0x21, crc, 1, 1, len(name), 0, 0, 0, 0, 0, off) + name)
        off += len(local)
    cd = b''.join(central)
    f.write(cd)
    z64 = off + len(cd)
    f.write(struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, n, n, len(cd), off))
    f.write(struct.pack('<IIQI', 0x07064b50, 0, z64, 1))
    f.write(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xffff, 0xffff, len(cd), 0xffffffff, 0))
`

/** Runs a command `runs` times; returns median wall ms and the max RSS (MB) reported via the preload. */
function measure(cmd, args, {runs, env = {}, status = 0} = {}) {
  const times = []
  let rssKb = 0
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint()
    const r = spawnSync(cmd, args, {env: {...process.env, ...env}, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (r.status !== status) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status} (expected ${status}): ${r.stderr}`)
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
    const cli = (file, status) =>
      measure(process.execPath, ['--require', preload, BIN, 'package', 'inspect', file, '--json'], {runs: 3, status, env: {ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'}})
    // Hostile archives: refused (exit 7) without inflating or listing them; memory against the real package's.
    const small = cli(pkg, 0)
    const zeros = join(home, 'zeros.zip')
    const many = join(home, 'many.zip')
    for (const [script, out, arg] of [[MAKE_ZEROS, zeros], [MAKE_MANY, many, '1000000']]) {
      const r = spawnSync('python3', ['-c', script, out, ...(arg ? [arg] : [])], {encoding: 'utf8'})
      if (r.status !== 0) throw new Error(`could not build a bench zip: ${r.stderr}`)
    }

    const mb = (f) => `${(statSync(f).size / 1024 / 1024).toFixed(1)} MB`
    const hostile = [
      [`package inspect ${mb(zeros)} zip of 1 GiB zeros (refused)`, cli(zeros, 7)],
      [`package inspect ${mb(many)} zip of 1,000,000 entries (refused)`, cli(many, 7)],
    ].map(([name, m]) => ({
      name: `${name}: peak RSS`,
      value: m.rssMb,
      unit: 'MB',
      baseline: 'inspect of the real package',
      baselineValue: small.rssMb,
      ratio: m.rssMb / small.rssMb,
      target: '<= 1.25x and < 100 MB',
      pass: m.rssMb / small.rssMb <= 1.25 && m.rssMb < 100,
    }))
    return [
      ...hostile,
      {name: label, value: inspect.ms, unit: 'ms', baseline: 'unzip -t', baselineValue: unzip.ms, ratio: inspect.ms / unzip.ms, target: '<= 2x (half unzip speed)', pass: inspect.ms / unzip.ms <= 2},
      {name: `${label}: peak RSS`, value: inspect.rssMb, unit: 'MB', target: '< 100 MB', pass: inspect.rssMb < 100},
    ]
  } finally {
    for (const f of readdirSync(home)) rmSync(join(home, f), {recursive: true, force: true})
    rmSync(home, {recursive: true, force: true})
  }
}
