/**
 * Issue 15 item 3: the server trusts nothing the CLI checked. Each hostile body gets a 4xx with
 * the core rule's own message (the one the CLI prints), nothing is stored, and no request
 * produces a 500 (the server's error log and access log are scanned for them).
 */
import {createHash} from 'node:crypto'
import Database from 'better-sqlite3'
import {normaliseRow} from '../../src/core/device/inventory.js'
import {NAME_RULES, requireName} from '../../src/core/names.js'
import {startTestServer, type TestServer} from './helpers.js'

const RAW_CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/

/** The message a core rule throws: what the CLI prints for the same value. */
function messageOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    return (error as Error).message
  }

  throw new Error('the rule accepted the value')
}

const device = (over: Record<string, unknown>) => ({records: [{name: 'new-pc', os: 'Ubuntu 22.04', ...over}]})
const policy = (over: Record<string, unknown>) => ({
  name: 'CA hostile',
  includeGroups: ['Finance'],
  excludeGroups: [],
  apps: ['sharepoint'],
  clients: ['browser'],
  grant: 'compliant-device',
  enabled: true,
  ...over,
})

interface Case {
  name: string
  method: string
  path: string
  body: unknown
  status: number
  exitCode: number
  message: string | RegExp
}

const CASES: Case[] = [
  // devices.import: every per-record rule of an inventory row, with the record number.
  {name: 'a record with only name and os (the rest defaulted, as from the CLI)', method: 'POST', path: '/v1/devices/import', body: {records: [{name: 'bare', os: 'Ubuntu 22.04', environment: 'mars'}]}, status: 422, exitCode: 7, message: /environment 'mars'/},
  {name: 'lastSeen not a date', method: 'POST', path: '/v1/devices/import', body: device({lastSeen: 'not-a-date'}), status: 422, exitCode: 7, message: /^Record 1: lastSeen 'not-a-date' is not a date/},
  {name: 'unknown environment', method: 'POST', path: '/v1/devices/import', body: device({environment: 'nowhere'}), status: 422, exitCode: 7, message: /^Record 1: environment 'nowhere' is not one of on-premises/},
  {name: 'unknown sensor state', method: 'POST', path: '/v1/devices/import', body: device({sensorService: 'bogus'}), status: 422, exitCode: 7, message: /sensorService 'bogus' is not one of/},
  {name: 'unknown manager', method: 'POST', path: '/v1/devices/import', body: device({managedBy: ['puppet']}), status: 422, exitCode: 7, message: /managedBy 'puppet' is not/},
  {name: 'unknown OS', method: 'POST', path: '/v1/devices/import', body: device({os: 'BeOS 5'}), status: 422, exitCode: 7, message: /not recognised/},
  {name: 'terminal escape in a device name', method: 'POST', path: '/v1/devices/import', body: device({name: 'pc-\u001b]0;owned\u0007'}), status: 422, exitCode: 7, message: /device name 'pc-\\x1b\]0;owned\\x07' holds control/},
  {name: 'bidi override in a device name', method: 'POST', path: '/v1/devices/import', body: device({name: 'invoice\u202Egpj.exe'}), status: 422, exitCode: 7, message: /\\u202e/},
  {name: 'C1 control in a user name', method: 'POST', path: '/v1/devices/import', body: device({user: 'bob\u009b2J'}), status: 422, exitCode: 7, message: /user name 'bob\\x9b2J'/},
  {name: 'control character in a collection', method: 'POST', path: '/v1/devices/import', body: device({collections: ['Wave\u001b[1']}), status: 422, exitCode: 7, message: /collections: the collection name 'Wave\\x1b\[1'/},
  {name: 'separator in a group', method: 'POST', path: '/v1/devices/import', body: device({groups: ['a;b']}), status: 422, exitCode: 7, message: /groups: the group name 'a;b' contains ';'/},
  {name: 'a name given twice (any case, any script)', method: 'POST', path: '/v1/devices/import', body: {records: [{name: 'ÄLPHA-01', os: 'Ubuntu 22.04'}, {name: 'älpha-01', os: 'Ubuntu 22.04'}]}, status: 422, exitCode: 7, message: /appears more than once/},
  {name: 'a bad record after a good one', method: 'POST', path: '/v1/devices/import', body: {records: [{name: 'good-1', os: 'Ubuntu 22.04'}, {name: 'bad\u0000', os: 'Ubuntu 22.04'}]}, status: 422, exitCode: 7, message: /^Record 2: .*\\x00/},
  {name: 'an over-long device name', method: 'POST', path: '/v1/devices/import', body: device({name: 'a'.repeat(256)}), status: 400, exitCode: 2, message: /255 characters/},
  // sensor reports through the admin route
  {name: 'sensor report: escape in the name', method: 'POST', path: '/v1/devices/sensor-reports', body: {name: 'web\u001b[2J', os: 'Ubuntu 22.04', provider: 'sentinelone'}, status: 422, exitCode: 7, message: /\\x1b\[2J/},
  {name: 'sensor report: unknown service state', method: 'POST', path: '/v1/devices/sensor-reports', body: {name: 'web-9', os: 'Ubuntu 22.04', provider: 'sentinelone', sensorService: 'bogus'}, status: 422, exitCode: 7, message: /sensorService 'bogus'/},
  // groups and members
  {name: "group named 'all'", method: 'POST', path: '/v1/intune/groups', body: {name: 'all'}, status: 400, exitCode: 2, message: messageOf(() => requireName('all', NAME_RULES.group))},
  {name: "group named 'ALL'", method: 'POST', path: '/v1/intune/groups', body: {name: ' ALL '}, status: 400, exitCode: 2, message: /cannot be a group name/},
  {name: 'group name with an escape', method: 'POST', path: '/v1/intune/groups', body: {name: 'Fin\u001b[31mance'}, status: 400, exitCode: 2, message: messageOf(() => requireName('Fin\u001b[31mance', NAME_RULES.group))},
  {name: 'group description with a bidi isolate', method: 'POST', path: '/v1/intune/groups', body: {name: 'Sales', description: 'a\u2066b'}, status: 400, exitCode: 2, message: /description 'a\\u2066b'/},
  {name: 'group member user with an escape', method: 'POST', path: '/v1/intune/groups/members', body: {group: 'Finance', devices: [], users: ['eve\u001b[8m@contoso.com']}, status: 400, exitCode: 2, message: /user name 'eve\\x1b\[8m@contoso.com'/},
  // conditional access
  {name: 'access policy grant bogus', method: 'POST', path: '/v1/access/policies', body: policy({grant: 'bogus'}), status: 400, exitCode: 2, message: "Unknown grant control 'bogus'."},
  {name: 'access policy client bogus', method: 'POST', path: '/v1/access/policies', body: policy({clients: ['fax']}), status: 400, exitCode: 2, message: "Unknown client app 'fax'."},
  {name: 'access policy excluding all', method: 'POST', path: '/v1/access/policies', body: policy({excludeGroups: ['All']}), status: 400, exitCode: 2, message: '--exclude-group all would exclude everyone.'},
  {name: 'access policy including nobody', method: 'POST', path: '/v1/access/policies', body: policy({includeGroups: []}), status: 400, exitCode: 2, message: 'The policy includes nobody.'},
  {name: 'access policy name with RLO', method: 'POST', path: '/v1/access/policies', body: policy({name: 'CA\u202E1'}), status: 400, exitCode: 2, message: /policy name 'CA\\u202e1'/},
  {name: 'access policy app with an escape', method: 'POST', path: '/v1/access/policies', body: policy({apps: ['share\u001bpoint']}), status: 400, exitCode: 2, message: /cloud app name/},
  // EDR profiles, compliance policies, app configurations
  {name: 'EDR profile sample sharing bogus', method: 'POST', path: '/v1/intune/edr-profiles', body: {name: 'EDR', sampleSharing: 'bogus', expediteTelemetry: false, deviceGroups: [], userGroups: []}, status: 400, exitCode: 2, message: "Unknown sample sharing 'bogus'."},
  {name: 'EDR profile empty name', method: 'POST', path: '/v1/intune/edr-profiles', body: {name: '  ', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: [], userGroups: []}, status: 400, exitCode: 2, message: 'The EDR profile name is empty.'},
  {name: 'compliance platform bogus', method: 'POST', path: '/v1/compliance/policies', body: {name: 'Baseline', platform: 'amiga', maxRisk: 'low'}, status: 400, exitCode: 2, message: "Unknown compliance platform 'amiga'."},
  {name: 'compliance max risk bogus', method: 'POST', path: '/v1/compliance/policies', body: {name: 'Baseline', platform: 'ios', maxRisk: 'extreme'}, status: 400, exitCode: 2, message: "Unknown maximum risk 'extreme'."},
  {name: 'compliance name with an escape', method: 'POST', path: '/v1/compliance/policies', body: {name: 'B\u001bc', platform: 'ios', maxRisk: 'low'}, status: 400, exitCode: 2, message: /compliance policy name 'B\\x1bc'/},
  {name: 'app configuration name with a C1 control', method: 'POST', path: '/v1/intune/app-configs', body: {name: 'cfg\u0085', assignGroup: null}, status: 400, exitCode: 2, message: /\\x85/},
  // collections and ConfigMgr policies
  {name: 'collection name with an escape', method: 'POST', path: '/v1/collections', body: {name: 'Pilot\u001b[0m'}, status: 400, exitCode: 2, message: /collection name 'Pilot\\x1b\[0m'/},
  {name: 'collection name too long', method: 'POST', path: '/v1/collections', body: {name: 'c'.repeat(129)}, status: 400, exitCode: 2, message: /129 characters long; the limit is 128/},
  {name: 'collection rule with an escape', method: 'POST', path: '/v1/collections', body: {name: 'Rules', rules: ['os~\u001b[2J']}, status: 400, exitCode: 2, message: /The rule 'os~\\x1b\[2J'/},
  {name: 'policy type bogus', method: 'POST', path: '/v1/policies', body: {name: 'P', description: '', type: 'bogus', configFile: null, workspaceId: null, workspaceKey: null, sampleSharing: 'none', configMgrVersion: 2103}, status: 400, exitCode: 2, message: "Unknown policy type 'bogus'."},
  {name: 'policy sample sharing bogus', method: 'POST', path: '/v1/policies', body: {name: 'P', description: '', type: 'onboarding', configFile: null, workspaceId: null, workspaceKey: null, sampleSharing: 'some', configMgrVersion: 2103}, status: 400, exitCode: 2, message: "Unknown sample sharing 'some'."},
  {name: 'policy ConfigMgr version bogus', method: 'POST', path: '/v1/policies', body: {name: 'P', description: '', type: 'onboarding', configFile: null, workspaceId: null, workspaceKey: null, sampleSharing: 'none', configMgrVersion: 9999}, status: 400, exitCode: 2, message: /'9999' is not a Configuration Manager version/},
  {name: 'policy name with an escape', method: 'POST', path: '/v1/policies', body: {name: 'P\u001b', description: '', type: 'onboarding', configFile: null, workspaceId: null, workspaceKey: null, sampleSharing: 'none', configMgrVersion: 2103}, status: 400, exitCode: 2, message: /policy name 'P\\x1b'/},
  // detection: what a sensor saw ends up in alert evidence
  {name: 'submitted file name with an escape', method: 'POST', path: '/v1/detection/files', body: {device: 'pc-1', fileName: 'eicar\u001b[2J.com', path: '/tmp', contentBase64: ''}, status: 400, exitCode: 2, message: /file name 'eicar\\x1b\[2J.com' holds control/},
  {name: 'submitted path with a bidi override', method: 'POST', path: '/v1/detection/files', body: {device: 'pc-1', fileName: 'eicar.com', path: '/tmp/\u202Eevil', contentBase64: ''}, status: 400, exitCode: 2, message: /path '\/tmp\/\\u202eevil' holds control/},
  // packages, tenant, integrations, tokens, API keys
  {name: 'package kind bogus', method: 'POST', path: '/v1/packages', body: {kind: 'bogus', os: 'linux', method: 'local-script', fileName: 'x.zip', path: '/tmp/x.zip', sha256: 'a'.repeat(64), bytes: 1, createdAt: '2026-11-20T10:00:00Z'}, status: 400, exitCode: 2, message: "Unknown package kind 'bogus'."},
  {name: 'tenant location bogus', method: 'POST', path: '/v1/tenant', body: {location: 'mars', datacenter: 'Olympus'}, status: 400, exitCode: 2, message: "Unknown location 'mars'."},
  {name: 'Defender for Cloud cloud bogus', method: 'POST', path: '/v1/integrations/defender-for-cloud/enable', body: {subscriptionId: 'sub-1', cloud: 'mars', linux: false, windowsOnly: false}, status: 400, exitCode: 2, message: "Unknown cloud 'mars'."},
  {name: 'Defender for Cloud subscription with an escape', method: 'POST', path: '/v1/integrations/defender-for-cloud/enable', body: {subscriptionId: 'sub\u001b', cloud: 'commercial', linux: false, windowsOnly: false}, status: 400, exitCode: 2, message: /subscription id 'sub\\x1b'/},
  {name: 'token validity negative', method: 'POST', path: '/v1/tokens', body: {provider: 'sentinelone', ttlMs: -1}, status: 400, exitCode: 2, message: /outside 1s to 30d/},
  {name: 'API key name with an escape', method: 'POST', path: '/v1/api-keys', body: {name: 'ci\u001b', role: 'reader'}, status: 400, exitCode: 2, message: "Invalid API key name 'ci\\x1b'."},
  {name: 'API key role bogus', method: 'POST', path: '/v1/api-keys', body: {name: 'ci', role: 'god'}, status: 400, exitCode: 2, message: "Unknown role 'god'."},
]

/**
 * A digest of every row of every table per table: "nothing stored" means none changes. The audit
 * log keeps its successful operations only (a refusal is audited as refused, by design), and an
 * API key's last use is not state the request asked for.
 */
function dump(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, {readonly: true, fileMustExist: true})
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {name: string}[]
    const out: Record<string, string> = {}
    for (const {name} of tables) {
      const where = name === 'audit_log' ? " WHERE outcome = 'ok'" : ''
      const rows = (db.prepare(`SELECT * FROM "${name}"${where}`).all() as Record<string, unknown>[]).map((row) => {
        delete row.last_used_at
        return JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v))
      })
      out[name] = `${rows.length} row(s) ${createHash('sha256').update(rows.sort().join('\n')).digest('hex').slice(0, 16)}`
    }

    return out
  } finally {
    db.close()
  }
}

describe('atpctl serve: every value rule runs in the backend (issue 15 item 3)', () => {
  let s: TestServer
  let sensorToken: string
  beforeAll(async () => {
    s = await startTestServer()
    await s.direct(async (b) => {
      await b.integrations.setThirdParty('sentinelone', true)
      sensorToken = (await b.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})).secret
      await b.intune.createGroup({name: 'Finance'})
      await b.devices.import({records: [normaliseRow({name: 'pc-1', os: 'Ubuntu 22.04'}, 1)]})
    })
  })
  afterAll(async () => s.cleanup())

  it.each(CASES.map((c) => [c.name, c] as const))('%s: refused with the rule message, nothing stored', async (_name, c) => {
    const before = dump(s.dbPath)
    const r = await s.request(c.method, c.path, {auth: s.keys.owner, body: c.body})
    expect({status: r.status, exitCode: r.body?.error?.exitCode}).toEqual({status: c.status, exitCode: c.exitCode})
    if (typeof c.message === 'string') expect(r.body.error.message).toBe(c.message)
    else expect(r.body.error.message).toMatch(c.message)
    // The raw hostile bytes never come back (they are shown escaped).
    expect(JSON.stringify(r.body)).not.toMatch(RAW_CONTROL)
    expect(r.body.error.message).not.toMatch(RAW_CONTROL)
    expect(dump(s.dbPath)).toEqual(before)
  })

  it.each([
    ['a terminal escape in the name', {name: 'web\u001b[2J', os: 'Ubuntu 22.04'}, /Sensor report for 'web\\x1b\[2J': the device name 'web\\x1b\[2J' holds control/],
    ['a bidi override in the OS', {name: 'web-7', os: 'Ubuntu\u202E 22.04'}, /the OS 'Ubuntu\\u202e 22.04' holds control/],
  ])('a sensor registering with %s is refused (422), nothing stored', async (_what, body, message) => {
    const before = dump(s.dbPath)
    const r = await s.request('POST', '/v1/sensor/register', {auth: sensorToken, body})
    expect({status: r.status, exitCode: r.body?.error?.exitCode}).toEqual({status: 422, exitCode: 7})
    expect(r.body.error.message).toMatch(message)
    expect(JSON.stringify(r.body)).not.toMatch(RAW_CONTROL)
    expect(dump(s.dbPath)).toEqual(before)
  })

  it('a heartbeat with hostile OS text is refused (422) before it is queued; the machine keeps its OS', async () => {
    expect((await s.request('POST', '/v1/sensor/register', {auth: sensorToken, body: {name: 'web-1', os: 'Ubuntu 22.04'}})).status).toBe(200)
    const r = await s.request('POST', '/v1/sensor/heartbeat', {auth: sensorToken, body: {name: 'web-1', os: 'Ubuntu 22.04\u001b[8m'}})
    expect({status: r.status, exitCode: r.body?.error?.exitCode}).toEqual({status: 422, exitCode: 7})
    expect(r.body.error.message).toBe("Sensor report for 'web-1': the OS 'Ubuntu 22.04\\x1b[8m' holds control or bidirectional formatting characters (\\x1b); names may not contain them.")
    const ok = await s.request('POST', '/v1/sensor/heartbeat', {auth: sensorToken, body: {name: 'web-1', os: 'Ubuntu 22.04'}})
    expect(ok.status).toBe(202)
    expect((await s.request('GET', '/v1/devices/web-1', {auth: s.keys.owner})).body.result.os).toBe('Ubuntu 22.04')
  })

  it.each(['/v1/devices/', '/v1/collections/', '/v1/intune/groups/', '/v1/policies/', '/v1/intune/edr-profiles/'])(
    'GET %s<hostile name> is a 404 whose message shows the name escaped',
    async (prefix) => {
      const r = await s.request('GET', prefix + encodeURIComponent('pc\u001b[2J\u202E'), {auth: s.keys.owner})
      expect({status: r.status, exitCode: r.body?.error?.exitCode}).toEqual({status: 404, exitCode: 3})
      expect(r.body.error.message).toContain("'pc\\x1b[2J\\u202e'")
      expect(JSON.stringify(r.body)).not.toMatch(RAW_CONTROL)
    },
  )

  it('classifies from the raw OS fields: a Windows 7 record claiming "Windows 11" build 99999 up-level is stored as Windows 7', async () => {
    const lie = {name: 'old-pc', os: 'Windows 7 Professional', version: '7601', osFamily: 'windows', osName: 'Windows 11', build: 99999, release: '24H2', level: 'up-level', minConfigMgr: 0, multiSession: true}
    const r = await s.request('POST', '/v1/devices/import', {auth: s.keys.owner, body: {records: [lie]}})
    expect(r.status).toBe(200)
    const got = await s.request('GET', '/v1/devices/old-pc', {auth: s.keys.owner})
    expect(got.body.result).toMatchObject({osName: 'Windows 7', multiSession: false})
    expect(got.body.result.level).not.toBe('up-level')
    expect(got.body.result.build).not.toBe(99999)
  })

  it('no request above produced a 500 or a dropped sensor event: the error log is empty and the access log has no 5xx', () => {
    expect(s.errors).toEqual([])
    expect(s.log.filter((e) => e.status >= 500)).toEqual([])
    expect(s.log.length).toBeGreaterThanOrEqual(CASES.length)
  })
})
