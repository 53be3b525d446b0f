import {apiKeyDifferences, type ApiKeyInfo} from '../../../src/core/apikey/rules.js'
import {applyCollectionChange, canonicalRule, checkLimitChain, collectionDifferences} from '../../../src/core/collection/rules.js'
import {
  collectionDeleteImpact,
  conflict,
  deploymentRemovalImpact,
  deviceDeleteImpact,
  inUseLead,
  nameList,
  requireConfirmedRemoval,
} from '../../../src/core/endpoint-lifecycle.js'
import {checkPolicyChange, checkUpdateReach, type PolicyContent, policyDifferences} from '../../../src/core/policy/rules.js'

// Issue 11 items 4 and 8 (SPEC §3): same create = no change, other content = CONFLICT, in use = confirm.
describe('the same create again, or a conflict', () => {
  it('compares collection rules as a set, ignoring spacing, aliases, case and condition order', () => {
    expect(canonicalRule('Build >= 14393 and family=Windows')).toBe(canonicalRule('family = windows && build>=14393'))
    expect(canonicalRule('osname~Server')).toBe(canonicalRule('os-name ~ server'))
    expect(collectionDifferences({limitTo: 'All', rules: ['os~Server', 'build>=14393']}, {limitTo: 'ALL', rules: ['build >= 14393', 'OS~server']})).toEqual([])
    expect(collectionDifferences({limitTo: null, rules: ['os~Server']}, {limitTo: 'All', rules: []})).toEqual([
      {field: 'rules', existing: "'os~Server'", requested: 'no rules'},
      {field: 'limit', existing: 'no limiting collection', requested: "limited to 'All'"},
    ])
  })

  it('compares policies by content: the file by SHA-256, the Workspace ID case-insensitively, the key by hash and never shown', () => {
    const stored: PolicyContent = {
      description: 'd',
      type: 'onboarding',
      configFile: {name: 'a.zip', sha256: 'a'.repeat(64)},
      workspaceId: 'abcdef12-0000',
      workspaceKeySha256: 'k1',
      sampleSharing: 'none',
      configMgrVersion: 2103,
    }
    expect(policyDifferences(stored, {...stored, configFile: {name: 'renamed.zip', sha256: 'a'.repeat(64)}, workspaceId: 'ABCDEF12-0000'})).toEqual([])
    const diffs = policyDifferences(stored, {...stored, workspaceKeySha256: 'k2', configMgrVersion: 2002})
    expect(diffs).toEqual([
      {field: 'Workspace key', existing: 'set', requested: 'another key'},
      {field: 'ConfigMgr version', existing: '2103', requested: '2002'},
    ])
    expect(JSON.stringify(diffs)).not.toMatch(/k1|k2/)
  })

  it('compares API keys by role, validity and status', () => {
    const key: ApiKeyInfo = {id: 'key_1', name: 'ci', role: 'reader', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-31T00:00:00.000Z', revokedAt: null, lastUsedAt: null, status: 'active'}
    expect(apiKeyDifferences(key, {role: 'reader', ttlMs: 30 * 86_400_000})).toEqual([])
    expect(apiKeyDifferences(key, {role: 'reader'}).map((d) => d.field)).toEqual(['validity'])
    expect(apiKeyDifferences({...key, status: 'revoked'}, {role: 'owner', ttlMs: 30 * 86_400_000}).map((d) => d.field)).toEqual(['role', 'status'])
  })

  it('builds one CONFLICT error (exit 4) that lists what differs and what to do', () => {
    const error = conflict("Collection 'Pilot'", [{field: 'rules', existing: 'no rules', requested: "'os~Server'"}], ['Change it: atpctl collection update Pilot'])
    expect(error).toMatchObject({code: 'CONFLICT', exitCode: 4, suggestions: ['Change it: atpctl collection update Pilot'], details: {differences: [{field: 'rules'}]}})
    expect(error.message).toBe("Collection 'Pilot' already exists with different content: rules is no rules, the request says 'os~Server'.")
  })
})

describe('updates', () => {
  const current = {name: 'Servers', limitTo: null, rules: ['os~Server', 'build>=14393']}

  it('adds, removes and clears rules; a rule to remove must exist (exit 3); nothing to change is exit 2', () => {
    expect(applyCollectionChange(current, {removeRules: ['OS ~ server'], addRules: ['family=windows-server', 'build >= 14393']})).toEqual({limitTo: null, rules: ['build>=14393', 'family=windows-server']})
    expect(applyCollectionChange(current, {clearRules: true, addRules: ['name~srv'], limitTo: 'All'})).toEqual({limitTo: 'All', rules: ['name~srv']})
    expect(() => applyCollectionChange(current, {removeRules: ['family=linux']})).toThrow(expect.objectContaining({exitCode: 3}))
    expect(() => applyCollectionChange(current, {addRules: ['build>=lots']})).toThrow(expect.objectContaining({exitCode: 2}))
    expect(() => applyCollectionChange(current, {})).toThrow(expect.objectContaining({exitCode: 2, message: "Nothing to change in collection 'Servers'."}))
  })

  it('refuses a limit that loops back to the collection (exit 4)', () => {
    const limits = new Map<string, string | null>([['a', null], ['b', 'a'], ['c', 'b']])
    const names = new Map([['a', 'A'], ['b', 'B'], ['c', 'C']])
    expect(() => checkLimitChain('A', 'C', limits, names)).toThrow(expect.objectContaining({exitCode: 4, message: expect.stringContaining('C -> B -> A leads back to it')}))
    expect(() => checkLimitChain('A', 'a', limits, names)).toThrow(expect.objectContaining({exitCode: 4, message: expect.stringContaining('is the collection itself')}))
    expect(() => checkLimitChain('C', 'A', limits, names)).not.toThrow()
    expect(() => checkLimitChain('A', null, limits, names)).not.toThrow()
  })

  it('a policy update must change something, and must not silently lose devices of its deployments (CM3)', () => {
    expect(() => checkPolicyChange('P', {force: true})).toThrow(expect.objectContaining({exitCode: 2}))
    expect(() => checkPolicyChange('P', {configFile: null})).not.toThrow()
    expect(() => checkUpdateReach('P', ['x'], ['x'], false)).not.toThrow()
    expect(() => checkUpdateReach('P', ['x'], ['x', 'y', 'z'], false)).toThrow(expect.objectContaining({code: 'REFUSED_CM3', exitCode: 4, message: expect.stringContaining('2 device(s) of its deployments: y, z')}))
    expect(() => checkUpdateReach('P', [], ['y'], true)).not.toThrow()
  })
})

describe('deleting something in use', () => {
  it('a collection is in use with deployments or collections limited to it, and says what happens to them', () => {
    const free = collectionDeleteImpact({name: 'C', limitTo: null, deployedPolicies: [], limitedBy: [], members: 5})
    expect(free).toEqual({inUse: false, uses: [], devices: 0, summary: ''})
    const used = collectionDeleteImpact({name: 'C', limitTo: 'All', deployedPolicies: ['ATP any OS'], limitedBy: ['Pilot', 'Ring 1'], members: 5})
    expect(used.inUse).toBe(true)
    expect(used.devices).toBe(5)
    expect(used.summary).toBe(
      "1 policy ('ATP any OS') is deployed to it; the deployment is removed from its 5 members. 2 collections ('Pilot', 'Ring 1') are limited to it; they will be limited to 'All' instead.",
    )
  })

  it('a device is in use as a direct member of collections or groups; a policy while deployed', () => {
    const devices = deviceDeleteImpact([
      {name: 'pc-1', collections: ['Pilot'], groups: []},
      {name: 'pc-2', collections: ['Pilot', 'Ring 1'], groups: ['Finance']},
      {name: 'pc-3', collections: [], groups: []},
    ])
    expect(devices.uses.map((u) => [u.kind, u.names])).toEqual([
      ['static-member', ['pc-1', 'pc-2']],
      ['group-member', ['pc-2']],
    ])
    expect(deviceDeleteImpact([{name: 'pc-3', collections: [], groups: []}]).inUse).toBe(false)
    expect(deploymentRemovalImpact({policy: 'P', collections: ['Servers'], targeted: 1}).summary).toBe("It is deployed to 1 collection ('Servers'); 1 device targeted there will no longer get it.")
    expect(deploymentRemovalImpact({policy: 'P', collections: [], targeted: 0}).inUse).toBe(false)
  })

  it('is refused without confirmation (IN_USE, exit 4), naming what it affects; confirmed, or not in use, it proceeds', () => {
    const used = collectionDeleteImpact({name: 'C', limitTo: null, deployedPolicies: ['P'], limitedBy: [], members: 2})
    expect(() => requireConfirmedRemoval(inUseLead("Collection 'C'"), used, false)).toThrow(
      expect.objectContaining({code: 'REFUSED_IN_USE', exitCode: 4, message: "Collection 'C' is in use. 1 policy ('P') is deployed to it; the deployment is removed from its 2 members. Nothing was changed."}),
    )
    expect(() => requireConfirmedRemoval(inUseLead("Collection 'C'"), used, true)).not.toThrow()
    expect(() => requireConfirmedRemoval('x', collectionDeleteImpact({name: 'C', limitTo: null, deployedPolicies: [], limitedBy: [], members: 0}), false)).not.toThrow()
    expect(nameList(Array.from({length: 12}, (_, i) => `d${i}`))).toMatch(/'d9' and 2 more$/)
  })
})
