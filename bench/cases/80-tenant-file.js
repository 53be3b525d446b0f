// Issue 14: tenant as code at scale. A tenant with 100,000 devices and 1,000 set-up resources
// (300 groups, 300 collections with rules, 200 compliance policies, 100 EDR profiles, 100
// access policies), seeded here through the embedded backend's port (dist/). Measured, each
// with its wall time and peak RSS:
// - `atpctl export --out F --force` of that tenant (the baseline: it reads what plan and validate read);
// - `atpctl plan -f F --json` of the exported file (a round trip: no change planned);
// - `atpctl validate -f F` (exit 0), then again after 15 resources were changed by hand (exit 14,
//   the drift code; `plan --json` must count those 15 updates).
// Targets: plan and validate within 2x of export's time (they read the tenant as export does,
// plus parsing the file and comparing), and each peak RSS within 2x of export's.
import {spawnSync} from 'node:child_process'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {BIN, median, ROOT, run, tempHome} from '../lib.js'

const DEVICES = 100_000
const COUNTS = {groups: 300, collections: 300, compliance: 200, edr: 100, access: 100}
const RESOURCES = Object.values(COUNTS).reduce((a, b) => a + b, 0)
const DRIFTED = {collections: 10, compliance: 5}
const DRIFT_EXIT = 14
const RUNS = 3

const pad = (i, n = 3) => String(i).padStart(n, '0')
const env = (home, preload) => ({...process.env, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1', ...(preload ? {NODE_OPTIONS: `--require ${preload}`} : {})})

/** Runs atpctl once; returns its wall time, peak RSS (a preload records it at exit) and output. */
function measured(home, args, expectedStatus = 0) {
  const preload = join(home, 'rss.cjs')
  const rssFile = join(home, 'rss.txt')
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)))\n`)
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [BIN, ...args], {env: env(home, preload), encoding: 'utf8', maxBuffer: 1 << 30})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== expectedStatus) throw new Error(`atpctl ${args.join(' ')} exited ${result.status} (expected ${expectedStatus}): ${result.stderr}`)
  return {ms, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, stdout: result.stdout}
}

/** The median time and the largest peak RSS of `RUNS` runs (after one warm-up). */
function repeated(home, args, expectedStatus = 0) {
  const first = measured(home, args, expectedStatus)
  const runs = Array.from({length: RUNS}, () => measured(home, args, expectedStatus))
  return {ms: median(runs.map((r) => r.ms)), rssMb: Math.max(...runs.map((r) => r.rssMb)), stdout: first.stdout}
}

function writeInventory(file) {
  const seen = new Date(Date.now() - 3_600_000).toISOString()
  const kinds = [
    ['Windows 10 Enterprise', '10.0.19045', 'configmgr;intune'],
    ['Windows 11 Enterprise', '10.0.22631', 'intune'],
    ['Windows Server 2019 Standard', '10.0.17763', 'configmgr'],
    ['Ubuntu 22.04', '', 'defender-for-cloud'],
  ]
  const lines = ['name,os,version,managedBy,collections,user,groups,lastSeen']
  for (let i = 0; i < DEVICES; i++) {
    const [os, version, managedBy] = kinds[i % kinds.length]
    lines.push(`host-${pad(i, 6)},${os},${version},${managedBy},Fleet;Site-${i % 4},user${i % 5000}@contoso.com,Dept-${i % 12},${seen}`)
  }

  writeFileSync(file, lines.join('\n') + '\n')
}

/** The 1,000 set-up resources, through the port (the same rules as the commands). */
async function seed(home) {
  const {openLocalBackend} = await import(pathToFileURL(join(ROOT, 'dist', 'backends', 'local', 'index.js')).href)
  const {databasePath} = await import(pathToFileURL(join(ROOT, 'dist', 'lib', 'paths.js')).href)
  const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'bench'})
  try {
    const group = (i) => `Group-${pad(i % COUNTS.groups)}`
    for (let i = 0; i < COUNTS.groups; i++) await backend.intune.createGroup({name: group(i), description: `Bench group ${i}`})
    for (let i = 0; i < COUNTS.collections; i++) {
      await backend.collections.create({name: `Collection-${pad(i)}`, rules: [`name~-${pad(i % 1000)} and family=windows`, `group=Dept-${i % 12} and build>=17763`]})
    }

    const platforms = ['windows', 'android-enterprise', 'ios', 'android-device-admin']
    const risks = ['clear', 'low', 'medium', 'high']
    for (let i = 0; i < COUNTS.compliance; i++) {
      await backend.compliance.create({name: `Compliance-${pad(i)}`, description: `Bench policy ${i}`, platform: platforms[i % 4], maxRisk: risks[i % 4], ...(i % 2 ? {assignGroup: group(i)} : {})})
    }

    for (let i = 0; i < COUNTS.edr; i++) {
      await backend.intune.createEdrProfile({name: `EDR-${pad(i)}`, description: null, sampleSharing: i % 2 ? 'all' : 'none', expediteTelemetry: i % 3 === 0, deviceGroups: [group(i)], userGroups: []})
    }

    for (let i = 0; i < COUNTS.access; i++) {
      await backend.access.createPolicy({name: `Access-${pad(i)}`, includeGroups: [group(i)], excludeGroups: [group(i + 1)], apps: ['all'], clients: ['browser', 'mobile-desktop'], grant: 'compliant-device', enabled: i % 5 !== 0})
    }
  } finally {
    await backend.close()
  }
}

/** Changes 15 resources by hand, as an admin in the portal would: the drift validate must find. */
async function drift(home) {
  const {openLocalBackend} = await import(pathToFileURL(join(ROOT, 'dist', 'backends', 'local', 'index.js')).href)
  const {databasePath} = await import(pathToFileURL(join(ROOT, 'dist', 'lib', 'paths.js')).href)
  const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'bench'})
  try {
    for (let i = 0; i < DRIFTED.collections; i++) await backend.collections.update(`Collection-${pad(i)}`, {clearRules: true, addRules: ['family=linux']})
    for (let i = 0; i < DRIFTED.compliance; i++) await backend.compliance.update(`Compliance-${pad(i * 4)}`, {maxRisk: 'high'})
  } finally {
    await backend.close()
  }
}

function summaryOf(stdout) {
  const plan = JSON.parse(stdout)
  return (plan.plan ?? plan).summary
}

export default async function tenantFile() {
  const home = tempHome('atpctl-bench-tenant-file-')
  try {
    const csv = join(home, 'inventory.csv')
    writeInventory(csv)
    run(home, ['init', '--location', 'us'])
    run(home, ['integration', 'enable', 'intune', '--windows', '--android', '--ios'])
    // The set-up first, then the inventory: each collection created over 100,000 devices
    // evaluates its rules at once (seconds each), while the import evaluates all 300 in one pass.
    await seed(home)
    run(home, ['device', 'import', csv])
    rmSync(csv)
    const file = join(home, 'atpctl.yaml')

    const exported = repeated(home, ['export', '--out', file, '--force'])
    const plan = repeated(home, ['plan', '-f', file, '--json'])
    const clean = summaryOf(plan.stdout)
    if (clean.create + clean.update + clean.delete !== 0 || clean.unchanged < RESOURCES) {
      throw new Error(`export then plan should plan no change over at least ${RESOURCES} resources, got ${JSON.stringify(clean)}`)
    }

    const validate = repeated(home, ['validate', '-f', file])
    await drift(home)
    const drifted = summaryOf(measured(home, ['plan', '-f', file, '--json']).stdout)
    const changed = DRIFTED.collections + DRIFTED.compliance
    if (drifted.update !== changed) throw new Error(`plan after ${changed} changes by hand should plan ${changed} updates, got ${JSON.stringify(drifted)}`)
    const validateDrift = repeated(home, ['validate', '-f', file], DRIFT_EXIT)

    const scale = `${RESOURCES.toLocaleString('en')} resources, ${DEVICES.toLocaleString('en')} devices`
    const timeRow = (name, r) => ({name: `${name} (${scale})`, value: r.ms, unit: 'ms', baseline: 'export', baselineValue: exported.ms, ratio: r.ms / exported.ms, target: '<= 2x', pass: r.ms / exported.ms <= 2})
    const rssRow = (name, r) => ({name: `${name}: peak RSS`, value: r.rssMb, unit: 'MB', baseline: 'export', baselineValue: exported.rssMb, ratio: r.rssMb / exported.rssMb, target: '<= 2x', pass: r.rssMb / exported.rssMb <= 2})
    return [
      {name: `export --out F (${scale})`, value: exported.ms, unit: 'ms'},
      {name: 'export --out F: peak RSS', value: exported.rssMb, unit: 'MB'},
      timeRow('plan -f F --json, no change', plan),
      rssRow('plan -f F --json', plan),
      timeRow('validate -f F, exit 0', validate),
      rssRow('validate -f F, exit 0', validate),
      timeRow(`validate -f F, ${changed} drifted, exit 14`, validateDrift),
      rssRow(`validate -f F, exit 14`, validateDrift),
    ]
  } finally {
    rmSync(home, {recursive: true, force: true})
  }
}
