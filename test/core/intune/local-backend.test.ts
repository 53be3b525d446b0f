import type {Backend} from '../../../src/core/port/types.js'
import {judgeCompliance, strictestPolicy, type CompliancePolicy, MAX_RISKS, COMPLIANCE_PLATFORMS} from '../../../src/core/compliance/rules.js'
import {normaliseRow, type RawRow} from '../../../src/core/device/inventory.js'
import {DEVICE_RISKS} from '../../../src/core/intune/types.js'
import {tempBackend} from '../../helpers/backend.js'

const seen = new Date(Date.now() - 3_600_000).toISOString()
const importDevices = (backend: Backend, rows: RawRow[]) => backend.devices.import({records: rows.map((r, i) => normaliseRow({lastSeen: seen, ...r}, i + 2))})

describe('IN5 conflicts between an EDR profile and a ConfigMgr policy (embedded backend)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
    await backend.integrations.setIntune(true, {windows: true})
    await importDevices(backend, [
      {name: 'CO-LT-1', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'intune;configmgr', groups: 'Pilot', collections: 'Workstations'},
      {name: 'CO-LT-2', os: 'Windows 10 Enterprise', version: '10.0.19045', managedBy: 'intune', groups: 'Pilot'},
    ])
  })
  afterAll(() => cleanup())

  it('IN5: sample sharing set to all by the profile and none by the ConfigMgr policy is a reported conflict on that device only', async () => {
    const tenant = (await backend.tenant.get())!
    const secrets = await backend.tenant.secrets()
    await backend.policies.create({
      name: 'CM onboarding',
      description: '',
      type: 'onboarding',
      configFile: null,
      workspaceId: tenant.workspaceId,
      workspaceKey: secrets.workspaceKey,
      sampleSharing: 'none',
      configMgrVersion: 2103,
    })
    await backend.policies.deploy({name: 'CM onboarding', collections: ['Workstations'], dryRun: false, force: true})
    await backend.intune.createEdrProfile({name: 'EDR pilot', sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['Pilot'], userGroups: []})
    const show = await backend.intune.showEdrProfile('EDR pilot')
    expect(show.conflicts).toEqual([
      expect.objectContaining({deviceName: 'CO-LT-1', setting: 'sample sharing', edrProfile: 'EDR pilot', edrValue: 'all', otherPolicy: 'CM onboarding', otherValue: 'none'}),
    ])
    expect(await backend.intune.deviceConflicts('co-lt-1')).toHaveLength(1)
    expect(await backend.intune.deviceConflicts('CO-LT-2')).toEqual([])
    expect((await backend.intune.listEdrProfiles()).items[0].conflicts).toBe(1)
  })

  it('IN5: the same value on both sides is no conflict', async () => {
    await backend.intune.createEdrProfile({name: 'EDR none', sampleSharing: 'none', expediteTelemetry: false, deviceGroups: ['Pilot'], userGroups: []})
    expect((await backend.intune.showEdrProfile('EDR none')).conflicts).toEqual([])
  })
})

// The set-based SQL must agree with the pure rules for any data: random inventories, groups,
// policies and alerts, judged both ways.
describe('IN7 set-based evaluation equals the pure rules (randomised)', () => {
  // mulberry32: small, seeded, good enough low bits.
  let seed = 42
  const rand = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (((t ^ (t >>> 14)) >>> 0) % n)
  }
  const pick = <T>(items: readonly T[]): T => items[rand(items.length)]

  it('IN2/IN7: 3 random tenants x 120 devices', async () => {
    const seenStatuses = new Set<string>()
    const seenRisks = new Set<string>()
    for (let round = 0; round < 3; round++) {
      const {backend, dir, cleanup} = await tempBackend({withTenant: true})
      try {
        await backend.integrations.setIntune(true, {windows: rand(4) > 0, android: rand(2) > 0, ios: rand(2) > 0})
        const groups = ['Finance', 'Sales', 'Pilot', 'HR']
        const users = ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com', 'e@x.com']
        const oses: [string, string][] = [
          ['Windows 10 Enterprise', '10.0.14393'],
          ['Windows 10 Enterprise', '10.0.15063'],
          ['Windows 11 Pro', '10.0.22631'],
          ['Windows 8.1', '6.3.9600'],
          ['Android', '5.1'],
          ['Android', '6.0.0'],
          ['Android', '14'],
          ['iOS', '7.1'],
          ['iOS', '17.2'],
          ['Ubuntu 22.04', ''],
          ['Windows Server 2019', ''],
        ]
        const rows: RawRow[] = []
        for (let i = 0; i < 120; i++) {
          const [os, version] = pick(oses)
          rows.push({
            name: `R${round}-DEV-${i}`,
            os,
            version,
            managedBy: pick(['intune', 'intune', 'configmgr', 'intune;configmgr']),
            user: rand(3) === 0 ? null : pick(users),
            groups: groups.filter(() => rand(3) === 0).join(';'),
          })
        }

        await importDevices(backend, rows)
        for (const g of groups) await backend.intune.createGroup({name: g})
        for (let i = 0; i < 8; i++) {
          await backend.intune.addGroupMembers({group: pick(groups), devices: rand(2) ? [`R${round}-DEV-${rand(120)}`] : [], users: rand(2) ? [pick(users)] : []})
        }

        for (let i = 0; i < 6; i++) {
          await backend.compliance.create({name: `P${i}`, platform: pick(COMPLIANCE_PLATFORMS), maxRisk: pick(MAX_RISKS), assignGroup: rand(3) === 0 ? undefined : pick(groups)})
        }

        // Alerts straight into the alert table: random severities and statuses.
        const {default: Sqlite} = await import('better-sqlite3')
        const db = new Sqlite(`${dir}/tenant.db`)
        const severities = ['UnSpecified', 'Informational', 'Low', 'Medium', 'High']
        const insert = db.prepare(`INSERT INTO alert (id, incident_id, title, description, severity, severity_rank, status, category, detection_source, machine_id, computer_dns_name, device_name,
          created_at, first_event_time, last_event_time, last_update_time) VALUES (?, ?, 't', 'd', ?, ?, ?, 'Malware', 'test', 'm', ?, ?, ?, ?, ?, ?)`)
        for (let i = 0; i < 150; i++) {
          const severity = pick(severities)
          const name = `R${round}-DEV-${rand(120)}`
          insert.run(`a${round}-${i}`, i, severity, severities.indexOf(severity), pick(['New', 'InProgress', 'Resolved']), name.toLowerCase(), rand(2) ? name : name.toLowerCase(), seen, seen, seen, seen)
        }

        db.close()

        // Oracle: the pure rules over the backend's own reads.
        const connection = (await backend.integrations.state()).intune
        const policies: CompliancePolicy[] = (await backend.compliance.list()).items
        const devices = (await backend.devices.list()).items
        const alerts = (await backend.alerts.list({limit: 10_000})).items
        const expected = new Map<string, string>()
        for (const device of devices) {
          const explicit = await Promise.all(groups.map(async (g) => ((await backend.intune.showGroup(g)).members.some((m) => m.kind === 'device' && m.member === device.name) ? g : null)))
          const deviceGroups = [...device.groups, ...explicit.filter((g): g is string => g !== null)]
          const userGroups = device.user ? (await backend.intune.userGroups(device.user)).groups : []
          let rank = 0
          for (const a of alerts) if (a.status !== 'Resolved' && a.computerDnsName === device.name.toLowerCase()) rank = Math.max(rank, Math.max(1, DEVICE_RISKS.indexOf(a.severity === 'UnSpecified' ? 'Informational' : (a.severity as never))))
          const osVersion = device.osFamily === 'windows' ? (device.build === null ? '' : device.build >= 10240 ? `10.0.${device.build}` : device.build === 9600 ? '6.3.9600' : `6.1.${device.build}`) : (device.release ?? device.version ?? '')
          const verdict = judgeCompliance(
            {deviceId: '', deviceName: device.name, osFamily: device.osFamily, osVersion, managedByIntune: device.managedBy.includes('intune'), risk: DEVICE_RISKS[rank], strictest: strictestPolicy(device.osFamily, policies, deviceGroups, userGroups)},
            connection,
          )
          expected.set(device.name, JSON.stringify([verdict.status, verdict.risk, verdict.policy, verdict.reason]))
        }

        const actual = await backend.compliance.evaluate()
        expect(actual).toHaveLength(120)
        for (const d of actual) {
          seenStatuses.add(d.status)
          seenRisks.add(d.risk)
        }

        for (const d of actual) expect([d.deviceName, JSON.stringify([d.status, d.risk, d.policy, d.reason])]).toEqual([d.deviceName, expected.get(d.deviceName)])
      } finally {
        await cleanup()
      }
    }

    // The data really exercised every verdict and risk.
    expect([...seenStatuses].sort()).toEqual(['compliant', 'noncompliant', 'not-evaluated'])
    expect(seenRisks.size).toBe(5)
  })
})
