import {
  accessAffects,
  complianceAffects,
  contentDifferences,
  createOutcome,
  edrAffects,
  edrContent,
  groupAffects,
  groupContent,
  isInUseRefusal,
  KINDS,
  requireDeleteConsent,
  unchangedMessage,
} from '../../../src/core/intune/lifecycle.js'

const thrown = (fn: () => unknown): {code?: string; exitCode?: number; message?: string; suggestions?: string[]; details?: Record<string, unknown>} => {
  try {
    fn()
  } catch (error) {
    return error as never
  }

  throw new Error('expected a throw')
}

// SPEC §3 (issue 11 item 4): one rule for "the same create again" and "the name with other content".
describe('create outcome: no-op or CONFLICT', () => {
  const edr = {description: null, sampleSharing: 'all', expediteTelemetry: false, deviceGroups: ['Finance', 'HR'], userGroups: []}

  it('a new name is created; the same content again is the same, lists compared as case-insensitive sets', () => {
    expect(createOutcome(KINDS.edrProfile, 'EDR', null, edrContent(edr))).toBe('create')
    expect(createOutcome(KINDS.edrProfile, 'EDR', edrContent(edr), edrContent({...edr, deviceGroups: ['hr', 'FINANCE', 'Finance']}))).toBe('same')
    expect(() => createOutcome(KINDS.edrProfile, 'EDR', edrContent(edr), edrContent({...edr, deviceGroups: ['Finance']}))).toThrow(/already exists with different settings/)
  })

  it('other content is CONFLICT (exit 4) naming each difference and what to do', () => {
    const e = thrown(() => createOutcome(KINDS.edrProfile, 'EDR', edrContent(edr), edrContent({...edr, sampleSharing: 'none', expediteTelemetry: true, deviceGroups: ['Finance']})))
    expect(e).toMatchObject({code: 'CONFLICT', exitCode: 4})
    expect(e.message).toBe(
      "An EDR profile named 'EDR' already exists with different settings: sample sharing: 'all' (requested 'none'); expedite telemetry: no (requested yes); device groups: 'Finance', 'HR' (requested 'Finance').",
    )
    expect(e.suggestions).toEqual(['Change it: atpctl edr-profile update "EDR" …', 'Or create it under another name; see the existing one: atpctl edr-profile show "EDR"'])
    expect((e.details as {differences: unknown[]}).differences).toHaveLength(3)
  })

  it('a description left out is not compared; given, it is', () => {
    expect(createOutcome(KINDS.group, 'Lab', groupContent({description: 'bench'}), groupContent({}))).toBe('same')
    expect(thrown(() => createOutcome(KINDS.group, 'Lab', groupContent({description: 'bench'}), groupContent({description: null}))).message).toContain(
      "description: 'bench' (requested none)",
    )
  })

  it('names in messages are escaped', () => {
    expect(thrown(() => createOutcome(KINDS.group, 'a\u001b[2J', groupContent({description: 'x'}), groupContent({description: 'y'}))).message).toContain("'a\\x1b[2J'")
  })

  it('update uses the same comparison: nothing different is unchanged', () => {
    expect(contentDifferences(edrContent(edr), edrContent({...edr}))).toEqual([])
    expect(contentDifferences(edrContent(edr), edrContent({...edr, userGroups: ['Sales']}))).toEqual([{field: 'user groups', existing: [], requested: ['Sales']}])
    expect(unchangedMessage(KINDS.compliancePolicy, 'P')).toBe("Compliance policy 'P' already exists; unchanged.")
  })
})

// Issue 11 item 8: deleting something in use needs consent, and says what it affects.
describe('delete consent', () => {
  it('not in use: no consent needed; in use: REFUSED_IN_USE (exit 4) with the affects, unless forced', () => {
    expect(requireDeleteConsent(KINDS.group, 'Lab', [], false, 'x')).toEqual([])
    const affects = groupAffects([
      {kind: 'edr-device-group', name: 'EDR'},
      {kind: 'access-exclude', name: 'CA'},
    ])
    expect(affects).toEqual(["EDR profile 'EDR' is assigned to it as a device group", "conditional access policy 'CA' excludes it (its members lose that exemption)"])
    const e = thrown(() => requireDeleteConsent(KINDS.group, 'Lab', affects, false, 'Deleting it removes its members.'))
    expect(e).toMatchObject({code: 'REFUSED_IN_USE', exitCode: 4, details: {affects}})
    expect(e.message).toBe(`Group 'Lab' is in use: ${affects.join('; ')}. Deleting it removes its members.`)
    expect(isInUseRefusal(e)).toBe(true)
    expect(isInUseRefusal(new Error('x'))).toBe(false)
    expect(requireDeleteConsent(KINDS.group, 'Lab', affects, true, 'x')).toEqual(affects)
  })

  it('what makes each kind in use', () => {
    expect(edrAffects({deviceGroups: [], userGroups: []}, [])).toEqual([])
    expect(edrAffects({deviceGroups: ['Finance'], userGroups: ['Sales']}, ['A', 'B'])).toEqual(["it is assigned to device group 'Finance', user group 'Sales'", 'it onboards 2 device(s): A, B'])
    expect(complianceAffects([], ['CA'])).toEqual([])
    expect(complianceAffects(['A', 'B', 'C', 'D', 'E', 'F', 'G'], ['CA'])).toEqual([
      'it decides the compliance of 7 device(s): A, B, C, D, E, and 2 more',
      "enabled conditional access policy 'CA' requires a compliant device",
    ])
    expect(accessAffects({enabled: false, includeGroups: ['all'], apps: ['all']})).toEqual([])
    expect(accessAffects({enabled: true, includeGroups: ['all'], apps: ['sharepoint']})).toEqual(["it is enabled and requires a compliant device for 'all' on 'sharepoint'"])
  })
})
