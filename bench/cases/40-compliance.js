// Issue 6 target: `atpctl compliance evaluate --json` over 100,000 devices within 3x of the same
// evaluation as plain SQL through the sqlite3 CLI (JSON output too), measured in the same run.
// The data (devices, groups, alerts) is generated here, in a temp home.
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {atpctl, ROOT, run, tempHome, timeCommand} from '../lib.js'

const DEVICES = 100_000

function sqlite(db, sql) {
  const result = spawnSync('sqlite3', [db], {input: sql, encoding: 'utf8', maxBuffer: 1 << 30})
  if (result.status !== 0) throw new Error(`sqlite3 failed: ${result.stderr}`)
  return result.stdout
}

/** 100k devices: 70% Windows (some below 10.0.15063), 15% Android, 10% iOS, 5% Linux; 90% Intune-managed. */
function generate(db) {
  const now = new Date().toISOString()
  sqlite(
    db,
    `BEGIN;
    INSERT INTO os_class (id, os, version, os_family, os_name, build, release, level, min_configmgr) VALUES
      (1, 'Windows 10 Enterprise', '10.0.14393', 'windows', 'Windows 10 1607', 14393, '1607', 'up-level', 0),
      (2, 'Windows 10 Enterprise', '10.0.19045', 'windows', 'Windows 10 22H2', 19045, '22H2', 'up-level', 0),
      (3, 'Windows 11 Enterprise', '10.0.22631', 'windows', 'Windows 11 23H2', 22631, '23H2', 'up-level', 0),
      (4, 'Android', '5.1', 'android', 'Android 5.1', NULL, '5.1', 'unsupported', NULL),
      (5, 'Android', '13', 'android', 'Android 13', NULL, '13', 'unsupported', NULL),
      (6, 'iOS', '17.2', 'ios', 'iOS 17.2', NULL, '17.2', 'unsupported', NULL),
      (7, 'Ubuntu 22.04', '', 'linux', 'Ubuntu 22.04', NULL, '22.04', 'unsupported', NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${DEVICES})
    INSERT INTO device (name, os_class, managed_by, user, groups, last_seen, updated_at)
    SELECT printf('DEV-%06d', i),
      CASE WHEN i % 20 < 14 THEN CASE i % 7 WHEN 0 THEN 1 WHEN 1 THEN 3 ELSE 2 END
        WHEN i % 20 < 17 THEN CASE i % 5 WHEN 0 THEN 4 ELSE 5 END WHEN i % 20 < 19 THEN 6 ELSE 7 END,
      CASE WHEN i % 10 = 0 THEN ';configmgr;' ELSE ';intune;' END,
      printf('user%05d@contoso.com', i % 50000),
      CASE i % 4 WHEN 0 THEN ';Finance;' WHEN 1 THEN ';Sales;Pilot;' ELSE '' END,
      '${now}', '${now}'
    FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
    INSERT INTO alert (id, incident_id, title, description, severity, severity_rank, status, category, detection_source, machine_id, computer_dns_name, device_name,
      created_at, first_event_time, last_event_time, last_update_time)
    SELECT printf('da%018d_%d', i, i), i, 'Generated', 'bench', CASE i % 4 WHEN 0 THEN 'Informational' WHEN 1 THEN 'Low' WHEN 2 THEN 'Medium' ELSE 'High' END,
      1 + i % 4, CASE WHEN i % 5 = 0 THEN 'Resolved' ELSE 'New' END, 'Malware', 'WindowsDefenderAv', printf('%040d', i * 11), lower(printf('DEV-%06d', i * 11)),
      printf('DEV-%06d', i * 11), '${now}', '${now}', '${now}', '${now}'
    FROM n;
    COMMIT;`,
  )
}

export default async function compliance() {
  const home = tempHome()
  try {
    run(home, ['init', '--location', 'us'])
    run(home, ['integration', 'enable', 'intune', '--windows', '--android', '--no-ios'])
    const db = join(home, 'profiles', 'default', 'tenant.db')
    generate(db)
    run(home, ['group', 'create', 'VIP users'])
    run(home, ['group', 'add', 'VIP users', '--user', 'user00042@contoso.com', '--user', 'user00043@contoso.com'])
    run(home, ['compliance', 'create', '--name', 'Windows baseline', '--platform', 'windows', '--max-risk', 'medium'])
    run(home, ['compliance', 'create', '--name', 'Finance strict', '--platform', 'windows', '--max-risk', 'clear', '--assign-group', 'Finance'])
    run(home, ['compliance', 'create', '--name', 'VIP', '--platform', 'windows', '--max-risk', 'low', '--assign-group', 'VIP users'])
    run(home, ['compliance', 'create', '--name', 'Android', '--platform', 'android-enterprise', '--max-risk', 'low'])

    // The baseline: the same joins plus the verdict and its reason, in SQL, as JSON.
    const {evaluationSql} = await import(pathToFileURL(join(ROOT, 'dist', 'backends', 'local', 'compliance.js')).href)
    const {SQLITE_DIALECT} = await import(pathToFileURL(join(ROOT, 'dist', 'backends', 'local', 'sqlite-dialect.js')).href)
    const label = (col) => `upper(substr(${col}, 1, 1)) || substr(${col}, 2)`
    const risk = `CASE rank WHEN 0 THEN 'None' WHEN 1 THEN 'Informational' WHEN 2 THEN 'Low' WHEN 3 THEN 'Medium' ELSE 'High' END`
    const maxRank = `CASE max_risk WHEN 'clear' THEN 0 WHEN 'low' THEN 2 WHEN 'medium' THEN 3 ELSE 4 END`
    const platform = `CASE os_family WHEN 'windows' THEN 'windows' WHEN 'android' THEN 'android' WHEN 'ios' THEN 'ios' END`
    const major = `CAST(os_version AS INTEGER)`
    const minor = `CAST(substr(os_version, instr(os_version, '.') + 1) AS INTEGER)`
    const build = `CAST(substr(os_version, 6) AS INTEGER)`
    const below = `CASE ${platform} WHEN 'windows' THEN os_version = '' OR ${major} < 10 OR (${major} = 10 AND ${build} < 15063)
      WHEN 'android' THEN ${major} < 6 WHEN 'ios' THEN ${major} < 8 END`
    const toggle = `CASE ${platform} WHEN 'windows' THEN c_windows WHEN 'android' THEN c_android ELSE c_ios END`
    const baseline = `.parameter set @device NULL
.mode json
SELECT id AS deviceId, name AS deviceName, ${platform} AS platform,
  CASE WHEN ${platform} IS NULL OR intune = 0 OR c_enabled = 0 OR ${toggle} = 0 OR ${below} THEN 'not-evaluated'
    WHEN policy IS NULL THEN 'compliant' WHEN rank > ${maxRank} THEN 'noncompliant' ELSE 'compliant' END AS status,
  ${risk} AS risk, policy, max_risk AS maxRisk,
  CASE WHEN ${platform} IS NULL THEN os_family || ' is not an Intune compliance platform'
    WHEN intune = 0 THEN 'the device is not managed by Intune'
    WHEN c_enabled = 0 OR ${toggle} = 0 THEN 'the Intune connection''s ' || ${platform} || ' toggle is off'
    WHEN ${below} THEN ${platform} || ' ' || os_version || ' is below the minimum'
    WHEN policy IS NULL THEN 'no compliance policy is assigned; device risk ' || ${risk}
    WHEN rank > ${maxRank} THEN 'device risk ' || ${risk} || ' is above the maximum ' || ${label('max_risk')} || ' of policy ''' || policy || ''''
    ELSE 'device risk ' || ${risk} || ' is within the maximum ' || ${label('max_risk')} || ' of policy ''' || policy || '''' END AS reason
FROM (${evaluationSql(SQLITE_DIALECT)})
  JOIN (SELECT enabled AS c_enabled, android AS c_android, ios AS c_ios, windows AS c_windows FROM intune_connection WHERE id = 1);
`
    // Both produce every device's verdict; check they agree on the counts before timing.
    const sqlRows = JSON.parse(sqlite(db, baseline))
    const evaluated = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), 'compliance', 'evaluate', '--json'], {
      env: {...process.env, ATPCTL_HOME: home, NO_COLOR: '1', CI: '1'},
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    })
    if (evaluated.status !== 0) throw new Error(`atpctl compliance evaluate exited ${evaluated.status}: ${evaluated.stderr}`)
    const ours = JSON.parse(evaluated.stdout)
    const count = (rows, status) => rows.filter((r) => r.status === status).length
    for (const status of ['compliant', 'noncompliant', 'not-evaluated']) {
      if (count(sqlRows, status) !== count(ours.devices, status)) throw new Error(`baseline and atpctl disagree on ${status}: ${count(sqlRows, status)} vs ${count(ours.devices, status)}`)
    }

    if (ours.devices.length !== DEVICES) throw new Error(`expected ${DEVICES} devices, got ${ours.devices.length}`)
    const plain = timeCommand('sqlite3', [db], {runs: 3, input: baseline})
    const cli = atpctl(home, ['compliance', 'evaluate', '--json'], {runs: 3})
    const ratio = cli / plain
    return [
      {
        name: `compliance evaluate --json (${DEVICES.toLocaleString('en')} devices)`,
        value: cli,
        unit: 'ms',
        baseline: 'sqlite3 same SQL',
        baselineValue: plain,
        ratio,
        target: '<= 3x',
        pass: ratio <= 3,
      },
    ]
  } finally {
    rmSync(home, {recursive: true, force: true})
  }
}
