import {findProvider, PROVIDERS} from '../../../src/core/integration/catalogue.js'
import {assertCanDisable, assertCloudSupported, nextDefenderForCloudState} from '../../../src/core/integration/rules.js'
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
