import {judgeCompliance, type ComplianceFacts, type CompliancePolicy, MAX_RISKS, parseMaxRisk, strictestPolicy, summarise} from '../../../src/core/compliance/rules.js'
import {DEVICE_RISKS, type DeviceRisk} from '../../../src/core/intune/types.js'
import {connection} from '../intune/fixtures.js'


const facts = (over: Partial<ComplianceFacts> = {}): ComplianceFacts => ({
  deviceId: '1',
  deviceName: 'FIN-LT-001',
  osFamily: 'windows',
  osVersion: '10.0.19045',
  managedByIntune: true,
  risk: 'None',
  strictest: {name: 'Windows baseline', maxRisk: 'clear'},
  ...over,
})

describe('IN7 compliance by machine risk', () => {
  // The seed's table: which risks each maximum allows.
  const allowed: Record<(typeof MAX_RISKS)[number], DeviceRisk[]> = {
    clear: ['None'],
    low: ['None', 'Informational', 'Low'],
    medium: ['None', 'Informational', 'Low', 'Medium'],
    high: ['None', 'Informational', 'Low', 'Medium', 'High'],
  }
  for (const max of MAX_RISKS) {
    for (const risk of DEVICE_RISKS) {
      const expected = allowed[max].includes(risk) ? 'compliant' : 'noncompliant'
      it(`IN7: risk ${risk} under max-risk ${max} is ${expected}`, () => {
        const result = judgeCompliance(facts({risk, strictest: {name: 'P', maxRisk: max}}), connection())
        expect(result.status).toBe(expected)
        expect(result.policy).toBe('P')
        expect(result.maxRisk).toBe(max)
      })
    }
  }

  it('IN7: says the risk, the policy and its threshold; clear allows no active alert at all', () => {
    const r = judgeCompliance(facts({risk: 'Informational'}), connection())
    expect(r.reason).toBe("device risk Informational is above the maximum Clear of policy 'Windows baseline' (clear allows no active alert)")
    const m = judgeCompliance(facts({risk: 'Medium', strictest: {name: 'Windows baseline', maxRisk: 'low'}}), connection())
    expect(m.reason).toBe("device risk Medium is above the maximum Low of policy 'Windows baseline'")
  })

  it("IN7: 'secured' is accepted as Microsoft's name for clear", () => {
    expect(parseMaxRisk('secured')).toBe('clear')
    expect(() => parseMaxRisk('none')).toThrow(/Unknown maximum risk/)
  })

  it('IN2: a platform toggle off, or the connection off, means not evaluated, with the reason', () => {
    const off = judgeCompliance(facts({risk: 'High'}), connection({windows: false, android: true}))
    expect(off.status).toBe('not-evaluated')
    expect(off.reason).toMatch(/Windows toggle is off/)
    const conn = judgeCompliance(facts(), connection({}, false))
    expect(conn.reason).toMatch(/Intune connection is off/)
  })

  it('IN2: below the minimum version is not evaluated; at the minimum is', () => {
    expect(judgeCompliance(facts({osVersion: '10.0.14393'}), connection()).reason).toBe('Windows 10.0.14393 is below the minimum 10.0.15063')
    expect(judgeCompliance(facts({osVersion: '10.0.15063'}), connection()).status).toBe('compliant')
    expect(judgeCompliance(facts({osFamily: 'android', osVersion: '5.1'}), connection()).status).toBe('not-evaluated')
    expect(judgeCompliance(facts({osFamily: 'android', osVersion: '6.0', strictest: null}), connection()).status).toBe('compliant')
    expect(judgeCompliance(facts({osFamily: 'ios', osVersion: '7.1.2'}), connection()).reason).toMatch(/iOS 7.1.2 is below the minimum 8.0/)
    expect(judgeCompliance(facts({osFamily: 'ios', osVersion: ''}), connection()).reason).toMatch(/unknown/)
  })

  it('not evaluated: not managed by Intune, or not an Intune platform', () => {
    expect(judgeCompliance(facts({managedByIntune: false}), connection()).reason).toBe('the device is not managed by Intune')
    expect(judgeCompliance(facts({osFamily: 'linux'}), connection()).status).toBe('not-evaluated')
    expect(judgeCompliance(facts({osFamily: 'windows-server'}), connection()).status).toBe('not-evaluated')
  })

  it('a device without an assigned policy is compliant (Intune default), and says so', () => {
    const r = judgeCompliance(facts({strictest: null, risk: 'High'}), connection())
    expect(r.status).toBe('compliant')
    expect(r.reason).toMatch(/no Windows compliance policy is assigned/)
  })

  it('the strictest assigned policy of the platform decides; group by device or signed-in user', () => {
    const p = (name: string, maxRisk: CompliancePolicy['maxRisk'], platform: CompliancePolicy['platform'], assignGroup: string | null, createdAt = '2026-01-01'): CompliancePolicy =>
      ({id: name, name, description: null, platform, maxRisk, assignGroup, createdAt})
    const policies = [p('All Windows', 'high', 'windows', null), p('Finance', 'clear', 'windows', 'finance'), p('Android', 'clear', 'android-enterprise', null), p('Sales', 'low', 'windows', 'Sales users')]
    expect(strictestPolicy('windows', policies, [], [])).toEqual({name: 'All Windows', maxRisk: 'high'})
    expect(strictestPolicy('windows', policies, ['Finance'], [])).toEqual({name: 'Finance', maxRisk: 'clear'})
    expect(strictestPolicy('windows', policies, [], ['sales users'])).toEqual({name: 'Sales', maxRisk: 'low'})
    expect(strictestPolicy('android', policies, ['Finance'], [])).toEqual({name: 'Android', maxRisk: 'clear'})
    expect(strictestPolicy('macos', policies, ['Finance'], [])).toBeNull()
  })

  it('IN7: of equally strict policies the first created wins, then the first by name as the database orders it (ASCII case folded)', () => {
    const p = (name: string, createdAt: string): CompliancePolicy => ({id: name, name, description: null, platform: 'windows', maxRisk: 'low', assignGroup: null, createdAt})
    expect(strictestPolicy('windows', [p('a-late', '2026-01-02'), p('z-early', '2026-01-01')], [], [])?.name).toBe('z-early')
    expect(strictestPolicy('windows', [p('b', '2026-01-01'), p('A', '2026-01-01')], [], [])?.name).toBe('A')
    expect(strictestPolicy('windows', [p('B', '2026-01-01'), p('a', '2026-01-01')], [], [])?.name).toBe('a')
  })

  it('summarises counts', () => {
    const results = [judgeCompliance(facts(), connection()), judgeCompliance(facts({risk: 'Low'}), connection()), judgeCompliance(facts({managedByIntune: false}), connection())]
    expect(summarise(results)).toEqual({devices: 3, compliant: 1, noncompliant: 1, notEvaluated: 1})
  })
})
