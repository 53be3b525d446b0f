import {type AccessPolicy, accessPolicyState, checkAccessPolicyRequest, checkAccessPolicyUpdate, decideAccess, updatedAccessState} from '../../../src/core/access/rules.js'
import type {DeviceCompliance} from '../../../src/core/compliance/rules.js'

const policy = (over: Partial<AccessPolicy> = {}): AccessPolicy => ({
  id: 'p',
  name: 'Require compliant device',
  kind: 'custom',
  protected: false,
  enabled: true,
  reportOnly: false,
  includeGroups: ['all'],
  excludeGroups: [],
  apps: ['sharepoint'],
  clients: ['browser', 'mobile-desktop'],
  grant: 'compliant-device',
  createdAt: '2026-01-01',
  ...over,
})
const classic = policy({id: 'c', name: '[Classic] Device-based conditional access', kind: 'classic', protected: true, includeGroups: [], apps: [], clients: []})

const compliant: DeviceCompliance = {deviceId: '1', deviceName: 'LT-1', platform: 'windows', status: 'compliant', risk: 'None', policy: 'Windows baseline', maxRisk: 'low', reason: "device risk None is within the maximum Low of policy 'Windows baseline'"}
const noncompliant: DeviceCompliance = {...compliant, status: 'noncompliant', risk: 'Medium', reason: "device risk Medium is above the maximum Low of policy 'Windows baseline'"}
const request = (over = {}) => ({user: 'alice@contoso.com', userGroups: ['Finance'], app: 'sharepoint', client: 'browser' as const, device: compliant, ...over})

describe('IN8 access decision', () => {
  it('IN8: blocks a noncompliant device and explains with the policy, risk and threshold', () => {
    const d = decideAccess([classic, policy()], request({device: noncompliant}))
    expect(d.decision).toBe('block')
    expect(d.decidedBy).toEqual(['Require compliant device'])
    expect(d.explanation).toBe("blocked by 'Require compliant device': device risk Medium is above the maximum Low of policy 'Windows baseline'")
  })

  it('IN8: grants a compliant device, naming the satisfied policy', () => {
    const d = decideAccess([classic, policy()], request())
    expect(d.decision).toBe('grant')
    expect(d.explanation).toMatch(/^granted: 'Require compliant device' satisfied; device risk None is within/)
  })

  it('IN3: the classic policy never decides a cloud-app sign-in', () => {
    const d = decideAccess([classic], request({device: noncompliant}))
    expect(d.decision).toBe('grant')
    expect(d.policies[0]).toMatchObject({result: 'not-applied', kind: 'classic'})
    expect(d.explanation).toMatch(/no conditional access policy applies/)
  })

  it('IN8: include and exclude groups; exclusion wins', () => {
    expect(decideAccess([policy({includeGroups: ['Sales']})], request({device: noncompliant})).decision).toBe('grant')
    expect(decideAccess([policy({includeGroups: ['finance']})], request({device: noncompliant})).decision).toBe('block')
    const excluded = decideAccess([policy({excludeGroups: ['Finance']})], request({device: noncompliant}))
    expect(excluded.decision).toBe('grant')
    expect(excluded.policies[0].reason).toBe("user alice@contoso.com is excluded through group 'Finance'")
  })

  it('IN8 report-only: evaluated but not enforced; the decision says it would have blocked', () => {
    const reportOnly = policy({name: 'Pilot: compliant device', enabled: false, reportOnly: true})
    const alone = decideAccess([reportOnly], request({device: noncompliant}))
    expect(alone.decision).toBe('grant')
    expect(alone.decidedBy).toEqual([])
    expect(alone.wouldHaveBlocked).toEqual(['Pilot: compliant device'])
    expect(alone.policies[0]).toMatchObject({result: 'report-only', wouldFail: true, reason: expect.stringMatching(/^report-only, not enforced: would have blocked; device risk Medium/)})
    expect(alone.explanation).toMatch(/^granted: no enforced conditional access policy applies .*report-only 'Pilot: compliant device' would have blocked it \(not enforced\): device risk Medium/)
    // Beside an enforced policy, the enforced one decides; the report-only one is still reported.
    const both = decideAccess([policy(), reportOnly], request({device: noncompliant}))
    expect(both).toMatchObject({decision: 'block', decidedBy: ['Require compliant device'], wouldHaveBlocked: ['Pilot: compliant device']})
    expect(both.explanation).toMatch(/^blocked by 'Require compliant device': .*; report-only 'Pilot: compliant device' would have blocked it/)
    // A compliant device satisfies it: nothing would have been blocked.
    const ok = decideAccess([reportOnly], request())
    expect(ok).toMatchObject({decision: 'grant', wouldHaveBlocked: [], policies: [{result: 'report-only', wouldFail: false}]})
    expect(ok.explanation).toMatch(/^granted: no conditional access policy applies/)
    // It applies like any policy: an excluded user is not evaluated.
    expect(decideAccess([policy({enabled: false, reportOnly: true, excludeGroups: ['Finance']})], request({device: noncompliant})).policies[0].result).toBe('not-applied')
  })

  it('IN8 report-only: the create request and updates give one state', () => {
    const base = {name: 'P', includeGroups: ['all'], excludeGroups: [], apps: ['sharepoint'], clients: ['browser' as const], grant: 'compliant-device' as const}
    expect(checkAccessPolicyRequest({...base, enabled: true, reportOnly: true})).toMatchObject({enabled: false, reportOnly: true})
    expect(checkAccessPolicyRequest({...base, enabled: true})).toMatchObject({enabled: true, reportOnly: false})
    expect(updatedAccessState({enabled: true, reportOnly: false}, true)).toEqual({enabled: false, reportOnly: true})
    expect(updatedAccessState({enabled: false, reportOnly: true}, false)).toEqual({enabled: true, reportOnly: false})
    expect(updatedAccessState({enabled: false, reportOnly: false}, false)).toEqual({enabled: false, reportOnly: false})
    expect(updatedAccessState({enabled: false, reportOnly: true}, undefined)).toEqual({enabled: false, reportOnly: true})
    expect(accessPolicyState({enabled: false, reportOnly: true})).toBe('report-only')
  })

  it('IN8: disabled policies, other apps and other client apps do not apply', () => {
    expect(decideAccess([policy({enabled: false})], request({device: noncompliant})).policies[0].reason).toBe('the policy is disabled')
    expect(decideAccess([policy()], request({device: noncompliant, app: 'exchange'})).decision).toBe('grant')
    expect(decideAccess([policy({apps: ['all']})], request({device: noncompliant, app: 'exchange'})).decision).toBe('block')
    expect(decideAccess([policy({clients: ['mobile-desktop']})], request({device: noncompliant})).decision).toBe('grant')
  })

  it('IN8: a device without a compliance state fails "require compliant device"', () => {
    const unknown: DeviceCompliance = {...compliant, status: 'not-evaluated', policy: null, maxRisk: null, reason: "the Intune connection's Windows toggle is off (atpctl integration enable intune --windows)"}
    const d = decideAccess([policy()], request({device: unknown}))
    expect(d.decision).toBe('block')
    expect(d.explanation).toMatch(/device LT-1 has no compliance state: the Intune connection's Windows toggle is off/)
  })

  it('IN8: any failing applicable policy blocks, even when another is satisfied... and lists all that failed', () => {
    const d = decideAccess([policy(), policy({id: 'q', name: 'All apps', apps: ['all']})], request({device: noncompliant}))
    expect(d.decidedBy).toEqual(['Require compliant device', 'All apps'])
  })

  it('rejects policies that include nobody, protect nothing or exclude all', () => {
    const base = {name: 'x', includeGroups: ['all'], excludeGroups: [], apps: ['all'], clients: ['browser' as const], grant: 'compliant-device' as const, enabled: true}
    expect(() => checkAccessPolicyRequest({...base, includeGroups: []})).toThrow(/includes nobody/)
    expect(() => checkAccessPolicyRequest({...base, apps: []})).toThrow(/no cloud app/)
    expect(() => checkAccessPolicyRequest({...base, excludeGroups: ['ALL']})).toThrow(/exclude everyone/)
    expect(() => checkAccessPolicyRequest(base)).not.toThrow()
  })
})

describe('checkAccessPolicyUpdate (IN8: an update re-runs the create rules)', () => {
  it('lists given replace the old ones, fields left out keep their value', () => {
    const current = policy({excludeGroups: ['Contractors']})
    expect(checkAccessPolicyUpdate(current, {apps: ['exchange'], excludeGroups: []})).toEqual({
      name: current.name,
      includeGroups: ['all'],
      excludeGroups: [],
      apps: ['exchange'],
      clients: ['browser', 'mobile-desktop'],
      grant: 'compliant-device',
      enabled: true,
      reportOnly: false,
    })
  })

  it('refuses what a create would refuse', () => {
    expect(() => checkAccessPolicyUpdate(policy(), {apps: []})).toThrow(/no cloud app/)
    expect(() => checkAccessPolicyUpdate(policy(), {excludeGroups: ['ALL']})).toThrow(/exclude everyone/)
  })
})
