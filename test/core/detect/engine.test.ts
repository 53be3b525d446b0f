import type {Backend} from '../../../src/core/port/types.js'
import {machineIdOf} from '../../../src/backends/local/detection.js'
import {EICAR_SHA256, eicarBytes} from '../../../src/core/detect/eicar.js'
import {TEST_ALERTS} from '../../../src/core/detect/test-alerts.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {tempBackend} from '../../helpers/backend.js'

const recent = () => new Date().toISOString()
const b64 = (b: Buffer) => b.toString('base64')

describe('embedded detection engine and alert queue (TP3, TP5, DC8, DT1)', () => {
  let backend: Backend
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({backend, cleanup} = await tempBackend({withTenant: true}))
    await backend.integrations.setThirdParty('sentinelone', true)
    await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-1', cloud: 'commercial', linux: false, windowsOnly: true})
    const rows = [
      {name: 'lnx-01', os: 'Ubuntu 22.04', managedBy: 'third-party:sentinelone', lastSeen: recent()},
      {name: 'mac-01', os: 'macOS 14.4', managedBy: 'third-party:sentinelone', lastSeen: recent()},
      {name: 'bd-01', os: 'Ubuntu 22.04', managedBy: 'third-party:bitdefender', lastSeen: recent()},
      {name: 'AZ-WIN-01', os: 'Windows Server 2019 Datacenter', managedBy: 'defender-for-cloud', environment: 'azure-vm', subscription: 'sub-1', lastSeen: recent()},
    ]
    await backend.devices.import({records: rows.map((r, i) => normaliseRow(r, i + 2))})
  })
  afterAll(() => cleanup())

  it('TP5/DT1: an EICAR file seen on a device raises the EICAR alert with the file as evidence', async () => {
    const result = await backend.detection.submitFile({device: 'lnx-01', fileName: 'e.com', path: '/srv/drop/e.com', contentBase64: b64(eicarBytes())})
    expect(result.detected).toBe(true)
    const alert = result.alert!
    expect(alert).toMatchObject({title: "'EICAR_Test_File' malware was prevented", threatName: 'Virus:DOS/EICAR_Test_File', status: 'New', computerDnsName: 'lnx-01'})
    expect(alert.id).toMatch(/^da\d{18}_\d+$/)
    expect(alert.machineId).toMatch(/^[0-9a-f]{40}$/)
    expect(alert.evidence[0]).toMatchObject({fileName: 'e.com', filePath: '/srv/drop/e.com', sha256: EICAR_SHA256})
    expect(await backend.alerts.get(alert.id)).toEqual(alert)
    // The same file reported twice (a sensor's create + rename events) is one alert
    const again = await backend.detection.submitFile({device: 'lnx-01', fileName: 'e.com', path: '/srv/drop/e.com', contentBase64: b64(eicarBytes())})
    expect(again.alert?.id).toBe(alert.id)
    // The waiter's query finds it by device, title and unique file name only
    const q = {machineId: alert.machineId, title: alert.title, since: '2000-01-01T00:00:00Z'}
    expect((await backend.alerts.find({...q, evidenceFileName: 'e.com'}))?.id).toBe(alert.id)
    expect(await backend.alerts.find({...q, evidenceFileName: 'e.co'})).toBeNull()
    expect(await backend.alerts.find({...q, since: '2999-01-01T00:00:00Z'})).toBeNull()
  })

  it('DT1: anything that is not an EICAR file by the standard raises nothing', async () => {
    const lower = Buffer.from(eicarBytes().toString('latin1').toLowerCase(), 'latin1')
    for (const content of [lower, Buffer.concat([Buffer.from(' '), eicarBytes()]), Buffer.concat([eicarBytes(), Buffer.alloc(61, 0x20)])]) {
      const r = await backend.detection.submitFile({device: 'lnx-01', fileName: 'x.txt', path: '/x.txt', contentBase64: b64(content)})
      expect(r).toMatchObject({detected: false, alert: null})
      expect(r.reason).toMatch(/not an EICAR test file/)
    }
  })

  it('TP3: data from a device whose provider is off is refused (exit 4) and the refusal audited', async () => {
    await expect(backend.detection.submitFile({device: 'bd-01', fileName: 'e.com', path: '/e.com', contentBase64: b64(eicarBytes())})).rejects.toMatchObject({
      code: 'REFUSED_TP3',
      exitCode: 4,
    })
    const audit = (await backend.audit.list({operation: 'detect.file'})).items
    expect(audit.some((r) => r.target === 'device:bd-01' && r.outcome === 'refused:REFUSED_TP3')).toBe(true)
    expect((await backend.alerts.list({device: 'bd-01'})).items).toEqual([])
    const target = await backend.detection.target({device: 'bd-01'})
    expect(target.dataPaths).toEqual([expect.objectContaining({integration: 'third-party:bitdefender', enabled: false})])
  })

  it('TP3: turning the provider off blocks a device that was accepted before', async () => {
    await backend.integrations.setThirdParty('sentinelone', false)
    try {
      await expect(backend.detection.submitActivity({device: 'mac-01', os: 'macos', activity: TEST_ALERTS.macos.activity})).rejects.toMatchObject({code: 'REFUSED_TP3'})
    } finally {
      await backend.integrations.setThirdParty('sentinelone', true)
    }
  })

  it('DC8: each procedure performed on a device of its OS raises its titled alert', async () => {
    const win = await backend.detection.submitActivity({device: 'AZ-WIN-01', os: 'windows', activity: TEST_ALERTS.windows.activity})
    expect(win.alert).toMatchObject({title: '[TestAlert] Suspicious PowerShell CommandLine', severity: 'Informational', computerDnsName: 'az-win-01'})
    expect(win.alert!.evidence[0].processCommandLine).toContain('DownloadFile')
    const lnx = await backend.detection.submitActivity({device: 'lnx-01', os: 'linux', activity: TEST_ALERTS.linux.activity})
    expect(lnx.alert).toMatchObject({title: 'Enumeration of files with sensitive data', severity: 'Low'})
    const mac = await backend.detection.submitActivity({device: 'mac-01', os: 'macos', activity: TEST_ALERTS.macos.activity})
    expect(mac.alert).toMatchObject({title: 'macOS EDR Test Alert'})
    // The Windows rule does not fire on a Linux device
    expect(await backend.detection.submitActivity({device: 'lnx-01', os: 'windows', activity: TEST_ALERTS.windows.activity})).toMatchObject({detected: false})
  })

  it('a Defender for Cloud device depends on its subscription integration (DC1, TP3 analogue)', async () => {
    const target = await backend.detection.target({device: 'az-win-01'})
    expect(target).toMatchObject({name: 'AZ-WIN-01', osFamily: 'windows', onboarded: true, health: 'healthy'})
    expect(target.dataPaths).toEqual([expect.objectContaining({integration: 'defender-for-cloud:sub-1', enabled: true})])
    // The machine id works wherever a device name does
    expect((await backend.detection.target({device: target.machineId})).name).toBe('AZ-WIN-01')
  })

  it('picks the first onboarded, healthy device whose data flows when none is named', async () => {
    expect((await backend.detection.target({})).name).not.toBe('bd-01')
    expect((await backend.detection.target({os: 'macos'})).name).toBe('mac-01')
    await expect(backend.detection.target({device: 'ghost'})).rejects.toMatchObject({exitCode: 3})
  })

  it('lists with filters, resolves with a comment, and risk follows the active alerts (IN7 input)', async () => {
    const lnx = (await backend.detection.target({device: 'lnx-01'})).machineId
    expect((await backend.alerts.risks([lnx]))[lnx]).toBe('Low')
    const all = (await backend.alerts.list({device: 'lnx-01'})).items
    expect(all.map((a) => a.title).sort()).toEqual(["'EICAR_Test_File' malware was prevented", 'Enumeration of files with sensitive data'])
    expect((await backend.alerts.list({device: 'lnx-01', severity: 'Low'})).items).toHaveLength(1)
    expect((await backend.alerts.list({limit: 1})).items).toHaveLength(1)
    for (const a of all) await backend.alerts.resolve(a.id, {comment: 'detection test'})
    const resolved = await backend.alerts.get(all[0].id)
    expect(resolved).toMatchObject({status: 'Resolved', comments: [expect.objectContaining({comment: 'detection test', createdBy: 'test:jest'})]})
    expect(resolved.resolvedTime).not.toBeNull()
    expect((await backend.alerts.list({device: 'lnx-01', status: 'New'})).items).toEqual([])
    expect((await backend.alerts.risks([lnx, 'f'.repeat(40)]))).toEqual({[lnx]: 'None', ['f'.repeat(40)]: 'None'})
    await expect(backend.alerts.get('da000_1')).rejects.toMatchObject({exitCode: 3})
  })

  it('refuses malformed submissions as usage errors, changing nothing', async () => {
    const before = (await backend.alerts.list()).items.length
    const bad: any[] = [
      {device: 'lnx-01', fileName: '../e.com', path: '/e.com', contentBase64: b64(eicarBytes())},
      {device: 'lnx-01', fileName: 'e.com', path: '/e.com', contentBase64: 'not base64!'},
      {device: '', fileName: 'e.com', path: '/e.com', contentBase64: ''},
    ]
    for (const request of bad) await expect(backend.detection.submitFile(request)).rejects.toMatchObject({exitCode: 2})
    await expect(backend.detection.submitActivity({device: 'lnx-01', os: 'linux', activity: {type: 'rm -rf'} as any})).rejects.toMatchObject({exitCode: 2})
    expect((await backend.alerts.list()).items.length).toBe(before)
  })

  it('machine ids are 40 hex, stable per tenant and name, case-insensitive', () => {
    expect(machineIdOf('org', 'Web-01')).toBe(machineIdOf('org', 'web-01'))
    expect(machineIdOf('org', 'web-01')).not.toBe(machineIdOf('org2', 'web-01'))
    expect(machineIdOf('org', 'web-01')).toMatch(/^[0-9a-f]{40}$/)
  })
})
