import {findProvider, PROVIDERS} from '../../../src/core/integration/catalogue.js'
import {assertCanDisable, assertCloudSupported, assertInboundAllowed, blockedInbound, nextDefenderForCloudState, thirdPartyPath} from '../../../src/core/integration/rules.js'
import {tempBackend} from '../../helpers/backend.js'
import type {DefenderForCloudSubscription} from '../../../src/core/integration/types.js'

const sub = (windows: boolean, linux: boolean): DefenderForCloudSubscription => ({subscriptionId: 's', cloud: 'commercial', windows, linux, changedAt: ''})
const request = (over: Partial<{linux: boolean; windowsOnly: boolean; cloud: 'commercial' | 'china'}> = {}) => ({
  subscriptionId: 's',
  cloud: over.cloud ?? ('commercial' as const),
  linux: over.linux ?? false,
  windowsOnly: over.windowsOnly ?? false,
})

describe('third-party catalogue (TP1)', () => {
  it('lists at least bitdefender, sentinelone, ziften and lookout', () => {
    expect(PROVIDERS.map((p) => p.id)).toEqual(expect.arrayContaining(['bitdefender', 'sentinelone', 'ziften', 'lookout']))
  })

  it('rejects an unknown provider with exit 3 listing the known ones', () => {
    expect(() => findProvider('crowdstrike')).toThrow(expect.objectContaining({exitCode: 3, suggestions: [expect.stringContaining('sentinelone')]}))
    expect(findProvider('SentinelOne').id).toBe('sentinelone')
  })
})

describe('Defender for Cloud rules', () => {
  it('DC2: a subscription that never had the integration gets Windows and Linux together', () => {
    expect(nextDefenderForCloudState(undefined, request())).toEqual({windows: true, linux: true})
    expect(nextDefenderForCloudState(sub(false, false), request())).toEqual({windows: true, linux: true})
  })

  it('DC2: a Windows-only subscription gets Linux only through the one-time --linux step', () => {
    expect(nextDefenderForCloudState(undefined, request({windowsOnly: true}))).toEqual({windows: true, linux: false})
    expect(nextDefenderForCloudState(sub(true, false), request())).toEqual({windows: true, linux: false})
    expect(nextDefenderForCloudState(sub(true, false), request({linux: true}))).toEqual({windows: true, linux: true})
  })

  it('DC3: Linux cannot be disabled alone, neither directly nor by re-enabling Windows-only', () => {
    expect(() => assertCanDisable(true, 's')).toThrow(expect.objectContaining({code: 'REFUSED_DC3', exitCode: 4}))
    expect(() => assertCanDisable(false, 's')).not.toThrow()
    expect(() => nextDefenderForCloudState(sub(true, true), request({windowsOnly: true}))).toThrow(expect.objectContaining({code: 'REFUSED_DC3'}))
  })

  it('DC5: Azure China 21Vianet is refused', () => {
    expect(() => assertCloudSupported('china')).toThrow(expect.objectContaining({code: 'REFUSED_DC5', exitCode: 4}))
    expect(() => nextDefenderForCloudState(undefined, request({cloud: 'china'}))).toThrow(expect.objectContaining({exitCode: 4}))
  })
})

describe('TP3: one check, one message for inbound data on a path that is off', () => {
  const sentinel = (enabled: boolean) => thirdPartyPath('SentinelOne', enabled)
  const dfc = {integration: 'defender-for-cloud:sub-1 (linux)', enabled: false, enableCommand: 'atpctl integration enable defender-for-cloud --subscription sub-1 --linux'}

  it('lets data through when every path is on, or when there is none', () => {
    expect(blockedInbound({device: 'lnx-1'}, [sentinel(true)])).toBeNull()
    expect(blockedInbound({device: 'lnx-1'}, [])).toBeNull()
    expect(() => assertInboundAllowed({device: 'lnx-1'}, [sentinel(true)])).not.toThrow()
  })

  it('names the source and every blocked path, says how to turn each on, and that old tokens stay revoked (TP4)', () => {
    expect(blockedInbound({device: 'lnx-1'}, [sentinel(false), dfc])).toEqual({
      message: "Inbound data from device 'lnx-1' is blocked: its integrations are off (third-party:sentinelone, defender-for-cloud:sub-1 (linux)).",
      suggestions: [
        'Turn it on: atpctl integration enable third-party --provider sentinelone',
        'Turn it on: atpctl integration enable defender-for-cloud --subscription sub-1 --linux',
        'Then mint a new token and apply it on the endpoints: tokens minted before it was turned off stay revoked.',
      ],
    })
    expect(blockedInbound({provider: 'SentinelOne'}, [sentinel(false)])!.message).toBe('Inbound data from the SentinelOne sensors is blocked: its integration is off (third-party:sentinelone).')
  })

  it('refuses with exit 4 and REFUSED_TP3, carrying the same message', () => {
    expect(() => assertInboundAllowed({device: 'lnx-1'}, [sentinel(false)], {provider: 'sentinelone'})).toThrow(
      expect.objectContaining({code: 'REFUSED_TP3', exitCode: 4, message: blockedInbound({device: 'lnx-1'}, [sentinel(false)])!.message, details: {provider: 'sentinelone'}}),
    )
  })

  it('the embedded backend refuses a sensor report and a submitted file with that message', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      const message = (device: string) => blockedInbound({device}, [sentinel(false)])!.message
      await expect(backend.devices.reportFromSensor({name: 'lnx-1', os: 'Ubuntu 22.04', provider: 'sentinelone'})).rejects.toMatchObject({code: 'REFUSED_TP3', message: message('lnx-1')})
      await backend.integrations.setThirdParty('sentinelone', true)
      await backend.devices.reportFromSensor({name: 'lnx-1', os: 'Ubuntu 22.04', provider: 'sentinelone'})
      await backend.integrations.setThirdParty('sentinelone', false)
      await expect(backend.detection.submitFile({device: 'lnx-1', fileName: 'a.txt', path: '/tmp/a.txt', contentBase64: 'YQ=='})).rejects.toMatchObject({code: 'REFUSED_TP3', message: message('lnx-1')})
      const [refusal] = (await backend.audit.list({limit: 1, newestFirst: true})).items
      expect(refusal.outcome).toBe('refused:REFUSED_TP3')
    } finally {
      await cleanup()
    }
  })
})
