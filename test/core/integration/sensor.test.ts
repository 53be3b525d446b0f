import {assertSensorMayWrite, latestHeartbeats, pendingSensorEvents, type SensorEvent} from '../../../src/core/integration/sensor.js'

const ev = (id: number, kind: SensorEvent['kind'], device: string, provider = 'sentinelone'): SensorEvent => ({
  id,
  kind,
  provider,
  tokenId: 'tok_1',
  body: kind === 'heartbeat' ? {name: device, os: 'Linux'} : {device, fileName: 'f', path: '/f', contentBase64: ''},
  receivedAt: '2026-12-01T00:00:00Z',
})

describe('a sensor token speaks only for its provider (TP2, issue 15)', () => {
  const refused = (managedBy: string[], operation: 'register' | 'heartbeat' | 'file' = 'register') => {
    try {
      assertSensorMayWrite('sentinelone', 'SRV-2019', {name: 'SRV-2019', managedBy}, operation)
      return null
    } catch (error) {
      return error as {code: string; exitCode: number; message: string}
    }
  }

  it('allows a device managed by its own provider alone, for every route', () => {
    for (const op of ['register', 'heartbeat', 'file'] as const) expect(refused(['third-party:sentinelone'], op)).toBeNull()
  })

  it('refuses a device that ConfigMgr, Intune, Defender for Cloud, another provider or nobody manages (403, exit 5)', () => {
    for (const managedBy of [['configmgr'], ['intune'], ['defender-for-cloud'], ['third-party:bitdefender'], ['configmgr', 'third-party:sentinelone'], []]) {
      for (const op of ['register', 'heartbeat', 'file'] as const) {
        expect(refused(managedBy, op)).toMatchObject({code: 'FORBIDDEN', exitCode: 5, message: expect.stringContaining("'SRV-2019'")})
      }
    }

    expect(refused(['configmgr'])!.message).toContain('managed by configmgr')
  })

  it('lets registration create an unknown device; a heartbeat or a file needs it registered', () => {
    expect(() => assertSensorMayWrite('sentinelone', 'new-01', null, 'register')).not.toThrow()
    expect(() => assertSensorMayWrite('sentinelone', 'new-01', null, 'heartbeat')).toThrow(expect.objectContaining({exitCode: 5}))
    expect(() => assertSensorMayWrite('sentinelone', 'new-01', null, 'file')).toThrow(expect.objectContaining({exitCode: 5}))
  })
})

describe('processing spooled sensor events once (issue 15)', () => {
  it('keeps the latest heartbeat of a machine in a batch, case-insensitively and per provider', () => {
    const events = [ev(1, 'heartbeat', 'a'), ev(2, 'file', 'a'), ev(3, 'heartbeat', 'A'), ev(4, 'heartbeat', 'a', 'ziften'), ev(5, 'heartbeat', 'b')]
    expect([...latestHeartbeats(events)].sort()).toEqual([3, 4, 5])
  })

  it('skips what an earlier run already processed, then coalesces heartbeats among the rest', () => {
    const events = [ev(7, 'file', 'a'), ev(8, 'heartbeat', 'a'), ev(9, 'file', 'a'), ev(10, 'heartbeat', 'a')]
    expect(pendingSensorEvents(events, 0).map((e) => e.id)).toEqual([7, 9, 10])
    expect(pendingSensorEvents(events, 8).map((e) => e.id)).toEqual([9, 10])
    expect(pendingSensorEvents(events, 10)).toEqual([])
  })
})
