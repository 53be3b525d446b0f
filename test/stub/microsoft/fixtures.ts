/**
 * Builders for the stub's machines and alerts, with every documented property present (values
 * made up). `sampleMachines()` is the default inventory: Windows client and server machines in
 * each health state, one Linux and one macOS server, and one machine that is not onboarded.
 */
import {createHash, randomUUID} from 'node:crypto'
import type {StubAlert, StubMachine} from './types.js'

export const STUB_TENANT_ID = '6f1c2b0e-3d4a-4c5b-9e8f-0a1b2c3d4e5f'
export const STUB_CLIENT_ID = '2a7d9c41-8e3b-4f60-a1d2-b3c4d5e6f708'
/** Made up; the stub accepts it by default. Tests pass it through a file or the environment, never a flag. */
export const STUB_CLIENT_SECRET = 'stub~Secret.0123456789abcdefABCDEF_-xyz'

/** A stable 40-hex machine id from a name, like the API's ids. */
export function machineIdFor(name: string): string {
  return createHash('sha1').update(`machine:${name}`).digest('hex')
}

const DAY = 86_400_000

export function makeMachine(overrides: Partial<StubMachine> & {computerDnsName: string}, now = Date.now()): StubMachine {
  const name = overrides.computerDnsName
  const octet = (parseInt(machineIdFor(name).slice(0, 2), 16) % 250) + 2
  return {
    id: machineIdFor(name),
    firstSeen: new Date(now - 90 * DAY).toISOString(),
    lastSeen: new Date(now - 3_600_000).toISOString(),
    osPlatform: 'Windows11',
    version: '23H2',
    osProcessor: 'x64',
    osArchitecture: '64-bit',
    osBuild: 22631,
    lastIpAddress: `10.0.0.${octet}`,
    lastExternalIpAddress: `203.0.113.${octet}`,
    healthStatus: 'Active',
    onboardingStatus: 'Onboarded',
    rbacGroupId: null,
    rbacGroupName: null,
    riskScore: 'None',
    exposureLevel: 'Low',
    deviceValue: 'Normal',
    aadDeviceId: null,
    isAadJoined: false,
    machineTags: [],
    ipAddresses: [{ipAddress: `10.0.0.${octet}`, macAddress: `00155D${octet.toString(16).padStart(2, '0').toUpperCase()}0001`, operationalStatus: 'Up'}],
    ...overrides,
  }
}

/** The default inventory (eight machines). */
export function sampleMachines(now = Date.now()): StubMachine[] {
  return [
    makeMachine({computerDnsName: 'ws-001.contoso.local', machineTags: ['Finance']}, now),
    makeMachine({computerDnsName: 'ws-002.contoso.local', osPlatform: 'Windows10', version: '22H2', osBuild: 19045, machineTags: ['Finance']}, now),
    makeMachine({computerDnsName: 'ws-003.contoso.local', osPlatform: 'Windows10', version: '1607', osBuild: 14393, healthStatus: 'Inactive', lastSeen: new Date(now - 10 * DAY).toISOString()}, now),
    makeMachine({computerDnsName: 'srv-001.contoso.local', osPlatform: 'WindowsServer2019', version: '1809', osBuild: 17763, machineTags: ['Servers']}, now),
    makeMachine({computerDnsName: 'srv-002.contoso.local', osPlatform: 'WindowsServer2012R2', version: '6.3', osBuild: 9600, healthStatus: 'ImpairedCommunication', machineTags: ['Servers']}, now),
    makeMachine({computerDnsName: 'lnx-001.contoso.local', osPlatform: 'Linux', version: '22.04', osBuild: null, osArchitecture: '64-bit', machineTags: ['Servers']}, now),
    makeMachine({computerDnsName: 'mac-001.contoso.local', osPlatform: 'macOS', version: '14.5', osBuild: null, healthStatus: 'NoSensorData'}, now),
    makeMachine({computerDnsName: 'ws-099.contoso.local', osPlatform: 'Windows10', version: '22H2', osBuild: 19045, onboardingStatus: 'CanBeOnboarded', healthStatus: 'Inactive'}, now),
  ]
}

/** `count` Windows machines named `${prefix}-00001…`, for paging and bulk tests. */
export function manyMachines(count: number, prefix = 'bulk', now = Date.now()): StubMachine[] {
  const machines: StubMachine[] = []
  for (let i = 1; i <= count; i++) machines.push(makeMachine({computerDnsName: `${prefix}-${String(i).padStart(5, '0')}.contoso.local`}, now))
  return machines
}

let alertSeq = 0

/** An alert id in the API's shape (`da<18 digits>_<digits>`). */
export function alertId(now = Date.now()): string {
  alertSeq++
  return `da${String(now * 10_000 + alertSeq).padStart(18, '0')}_${(1_000_000_000 + alertSeq * 7919) % 2_147_483_647}`
}

export function makeAlert(machine: StubMachine, overrides: Partial<StubAlert> = {}, tenantId = STUB_TENANT_ID, now = Date.now()): StubAlert {
  const at = new Date(now).toISOString()
  return {
    id: alertId(now),
    incidentId: 1000 + alertSeq,
    investigationId: null,
    investigationState: 'Queued',
    assignedTo: null,
    severity: 'Medium',
    status: 'New',
    classification: null,
    determination: null,
    detectionSource: 'WindowsDefenderAtp',
    detectorId: randomUUID(),
    category: 'SuspiciousActivity',
    threatFamilyName: null,
    threatName: null,
    title: 'Suspicious process injection observed',
    description: 'A process injected code into another process.',
    alertCreationTime: at,
    firstEventTime: at,
    lastEventTime: at,
    lastUpdateTime: at,
    resolvedTime: null,
    machineId: machine.id,
    computerDnsName: machine.computerDnsName,
    rbacGroupName: machine.rbacGroupName,
    aadTenantId: tenantId,
    mitreTechniques: ['T1055'],
    relatedUser: null,
    comments: [],
    evidence: [],
    ...overrides,
  }
}
