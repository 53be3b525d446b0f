/**
 * Machines of a real tenant as devices (issue 12): the OS rules of CM1/CM2 read osPlatform,
 * version and osBuild; the CM6 health table; offboarding refusals (REFERENCE §8.3); machine
 * actions as operations; the monitor figures; and which permission each operation needs.
 */
import {actionToOperation, actionType, isOpenAction, operationKind, operationStatus} from '../../../src/core/device/machine-action.js'
import {classifyMachineOs, MACHINE_HEALTH, machineHealth, machineToDevice, osPlatformText, osVersionText} from '../../../src/core/device/machine.js'
import {offboardRefusal} from '../../../src/core/device/offboard.js'
import {monitorFromMachines} from '../../../src/core/monitor/machines.js'
import {grantAdvice, operationUsability} from '../../../src/core/permissions.js'

const NOW = new Date('2026-06-01T00:00:00Z')
const WEEK = 7 * 86_400_000
const recent = '2026-05-31T12:00:00Z'

describe('osPlatform, version and osBuild → OS family and level (CM1, CM2)', () => {
  it.each([
    ['Windows10', '22H2', 19045, 'windows', 'Windows 10 22H2', 'up-level'],
    ['Windows10', '1607', 14393, 'windows', 'Windows 10 1607', 'up-level'],
    ['Windows10', '1511', 10586, 'windows', 'Windows 10 1511', 'unsupported'],
    ['Windows11', '23H2', 22631, 'windows', 'Windows 11 23H2', 'up-level'],
    ['Windows8Blue', '6.3', 9600, 'windows', 'Windows 8.1', 'down-level'],
    ['WindowsServer2012R2', '6.3', 9600, 'windows-server', 'Windows Server 2012 R2', 'down-level'],
    ['WindowsServer2016', '1607', 14393, 'windows-server', 'Windows Server 2016', 'down-level'],
    ['WindowsServer2019', '1809', 17763, 'windows-server', 'Windows Server 2019', 'up-level'],
    ['WindowsServer2022', null, 20348, 'windows-server', 'Windows Server 2022', 'up-level'],
    ['WindowsServer2019', '1809', null, 'windows-server', 'Windows Server 2019', 'up-level'],
    ['Linux', '22.04', null, 'linux', 'Linux 22.04', 'unsupported'],
    ['Ubuntu', '22.04', null, 'linux', 'Ubuntu 22.04', 'unsupported'],
    ['RedHatEnterpriseLinux', '9.2', null, 'linux', 'Red Hat Enterprise Linux 9.2', 'unsupported'],
    ['macOS', '14.5', null, 'macos', 'macOS 14.5', 'unsupported'],
    ['iOS', '17.1', null, 'ios', 'iOS 17.1', 'unsupported'],
    ['Android', '14', null, 'android', 'Android 14', 'unsupported'],
  ])('%s %s build %s → %s, %s, %s', (osPlatform, version, osBuild, family, name, level) => {
    const os = classifyMachineOs({osPlatform, version, osBuild})
    expect({family: os.family, name: os.name, level: os.level}).toEqual({family, name, level})
  })

  it('keeps a platform no rule knows as reported, never onboardable by ConfigMgr', () => {
    expect(classifyMachineOs({osPlatform: 'Other', version: null, osBuild: null})).toMatchObject({family: 'other', name: 'Other', level: 'unsupported', minConfigMgr: null})
    expect(classifyMachineOs({osPlatform: 'Windows', version: null, osBuild: null})).toMatchObject({family: 'windows', level: 'unsupported'})
  })

  it('spells platforms and builds the way classifyOs reads them', () => {
    expect(osPlatformText('WindowsServer2012R2')).toBe('Windows Server 2012 R2')
    expect(osPlatformText('Windows10')).toBe('Windows 10')
    expect(osPlatformText('SuseLinuxEnterpriseServer')).toBe('Suse Linux Enterprise Server')
    expect(osVersionText({osPlatform: 'Windows10', version: '22H2', osBuild: 19045})).toBe('10.0.19045')
    expect(osVersionText({osPlatform: 'WindowsServer2012R2', version: '6.3', osBuild: 9600})).toBe('6.3.9600')
    expect(osVersionText({osPlatform: 'Windows10', version: '10.0', osBuild: null})).toBeUndefined()
    expect(osVersionText({osPlatform: 'Linux', version: '22.04', osBuild: null})).toBe('22.04')
  })
})

describe('onboardingStatus and healthStatus → CM6 (the README table)', () => {
  it.each([
    ['Onboarded', 'Active', 'healthy', 'running', true],
    ['Onboarded', 'Inactive', 'inactive', 'stopped', true],
    ['Onboarded', 'ImpairedCommunication', 'agent-state', 'running', true],
    ['Onboarded', 'NoSensorData', 'agent-state', 'stopped', true],
    ['Onboarded', 'NoSensorDataImpairedCommunication', 'agent-state', 'stopped', true],
    ['Onboarded', 'Unknown', 'agent-state', 'stopped', true],
    ['onboarded', 'active', 'healthy', 'running', true],
    ['CanBeOnboarded', 'Inactive', 'not-onboarded', 'absent', false],
    ['Unsupported', 'Active', 'not-onboarded', 'absent', false],
    ['InsufficientInfo', 'Unknown', 'not-onboarded', 'absent', false],
    [null, 'Active', 'not-onboarded', 'absent', false],
  ])('%s / %s → %s', (onboardingStatus, healthStatus, health, sensorService, onboarded) => {
    expect(machineHealth({onboardingStatus, healthStatus, lastSeen: recent}, NOW, WEEK)).toMatchObject({health, sensorService, onboarded})
  })

  it('every healthStatus has a row with a reason', () => {
    for (const row of Object.values(MACHINE_HEALTH)) expect(row.reason).toMatch(/health /)
  })

  it('says why a machine is not onboarded', () => {
    expect(machineHealth({onboardingStatus: 'CanBeOnboarded', healthStatus: 'Inactive'}, NOW, WEEK).reason).toMatch(/can be onboarded/)
    expect(machineHealth({onboardingStatus: 'Unsupported'}, NOW, WEEK).reasonCode).toBe('mde-unsupported')
  })

  it('an Active machine without a report during the period is inactive (CM6)', () => {
    expect(machineHealth({onboardingStatus: 'Onboarded', healthStatus: 'Active', lastSeen: '2026-05-20T00:00:00Z'}, NOW, WEEK).health).toBe('inactive')
    expect(machineHealth({onboardingStatus: 'Onboarded', healthStatus: 'Active', lastSeen: '2026-05-20T00:00:00Z'}, NOW, 30 * 86_400_000).health).toBe('healthy')
  })
})

describe('a machine as a device', () => {
  const machine = {id: 'a'.repeat(40), computerDnsName: 'ws-1.contoso.local', osPlatform: 'Windows11', version: '23H2', osBuild: 22631, healthStatus: 'Active', onboardingStatus: 'Onboarded', lastSeen: recent, machineTags: ['Finance'], riskScore: 'Low'}

  it('carries the common Device fields and the machine facts; tags are its collections', () => {
    const device = machineToDevice(machine, NOW, WEEK)
    expect(device).toMatchObject({name: 'ws-1.contoso.local', osFamily: 'windows', level: 'up-level', minConfigMgr: 0, health: 'healthy', collections: ['Finance'], source: 'sensor'})
    expect(device.onboarding).toMatchObject({onboarded: true, path: null, reasonCode: 'mde-active'})
    expect(device.machine).toMatchObject({id: machine.id, riskScore: 'Low', onboardingStatus: 'Onboarded'})
  })

  it('offboarding through the API is for Windows only (REFERENCE §8.3)', () => {
    expect(offboardRefusal(machineToDevice(machine, NOW, WEEK))).toBeNull()
    expect(offboardRefusal(machineToDevice({...machine, osPlatform: 'WindowsServer2019', version: '1809', osBuild: 17763}, NOW, WEEK))).toBeNull()
    expect(offboardRefusal(machineToDevice({...machine, osPlatform: 'Linux', version: '22.04', osBuild: null}, NOW, WEEK))).toMatchObject({exitCode: 4, message: expect.stringMatching(/runs Ubuntu|runs Linux/)})
    expect(offboardRefusal(machineToDevice({...machine, osPlatform: 'macOS', version: '14', osBuild: null}, NOW, WEEK))?.suggestions.join(' ')).toMatch(/Microsoft Defender portal/)
  })

  it('monitor: eligible are onboarded or onboardable machines, health over those, one row per tag', () => {
    const devices = [
      machineToDevice(machine, NOW, WEEK),
      machineToDevice({...machine, id: 'b', computerDnsName: 'b', healthStatus: 'NoSensorData', machineTags: ['Finance', 'Servers']}, NOW, WEEK),
      machineToDevice({...machine, id: 'c', computerDnsName: 'c', onboardingStatus: 'CanBeOnboarded', machineTags: []}, NOW, WEEK),
      machineToDevice({...machine, id: 'd', computerDnsName: 'd', onboardingStatus: 'Unsupported', machineTags: []}, NOW, WEEK),
    ]
    const report = monitorFromMachines(devices, {collection: null, periodMs: WEEK, now: NOW})
    expect(report.devices).toBe(4)
    expect(report.deployment).toEqual({eligible: 3, onboarded: 2, percent: 66.7})
    expect(report.health).toEqual({healthy: 1, inactive: 0, agentState: 1, notOnboarded: 1})
    expect(report.collections.map((c) => [c.name, c.members])).toEqual([
      ['Finance', 2],
      ['Servers', 1],
    ])
    expect(report.period).toBe('7d')
  })
})

describe('machine actions as operations', () => {
  const action = {id: 'f1', type: 'Offboard', status: 'Pending', machineId: 'm1', computerDnsName: 'ws-1', creationDateTimeUtc: '2026-06-01T00:00:00Z', lastUpdateDateTimeUtc: '2026-06-01T00:01:00Z'}

  it.each([
    ['Pending', 'running'],
    ['InProgress', 'running'],
    ['Succeeded', 'succeeded'],
    ['Failed', 'failed'],
    ['TimeOut', 'failed'],
    ['Cancelled', 'failed'],
  ])('%s → %s', (status, expected) => {
    expect(operationStatus(status)).toBe(expected)
    expect(isOpenAction({status})).toBe(expected === 'running')
  })

  it('maps kinds both ways and fills result and finish time', () => {
    expect(operationKind('Offboard')).toBe('device.offboard')
    expect(actionType('device.offboard')).toBe('Offboard')
    expect(actionType('policy.deploy')).toBeNull()
    expect(actionToOperation(action)).toMatchObject({id: 'f1', kind: 'device.offboard', status: 'running', target: 'ws-1', finishedAt: null, result: null})
    expect(actionToOperation({...action, status: 'Succeeded'})).toMatchObject({status: 'succeeded', finishedAt: '2026-06-01T00:01:00Z', result: {machineId: 'm1'}})
    expect(actionToOperation({...action, status: 'TimeOut'}).result).toEqual({error: {code: 'ACTION_TIMEOUT', message: 'The Offboard action on ws-1 ended TimeOut.'}})
  })
})

describe('permissions per operation (status)', () => {
  it('names the least privilege missing on which API', () => {
    const report = operationUsability({defender: {roles: ['Machine.ReadWrite.All', 'Alert.Read.All']}, graph: {roles: null, error: 'x'}, arm: {roles: []}})
    const by = Object.fromEntries(report.map((r) => [r.operation, r]))
    expect(by['list and show machines'].usable).toBe(true)
    expect(by['offboard machines']).toMatchObject({usable: false, missing: ['Machine.Offboard on WindowsDefenderATP']})
    expect(by['resolve alerts'].missing).toEqual(['Alert.ReadWrite.All on WindowsDefenderATP'])
    expect(by['EICAR and test-alert checks'].usable).toBe(true)
    expect(grantAdvice('Machine.Offboard', 'defender')).toMatch(/WindowsDefenderATP > Application permissions > Machine.Offboard, then Grant admin consent/)
  })
})
