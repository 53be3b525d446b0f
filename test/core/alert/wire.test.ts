/** Alerts of a real tenant in atpctl's model (REFERENCE §2.3) and the detection match (DT1, DT2). */
import {
  alertFromWire,
  alertMatches,
  checkResolution,
  CLASSIFICATION_CHOICES,
  DETERMINATION_CHOICES,
  normaliseTitle,
  parseClassification,
  parseDetermination,
  resolvePatch,
} from '../../../src/core/alert/wire.js'
import {EICAR_SHA256} from '../../../src/core/detect/eicar.js'

const base = {id: 'da1_1', machineId: 'm1', title: "'EICAR_Test_File' malware was detected", alertCreationTime: '2026-06-01T00:00:10Z', evidence: []}
const query = {machineId: 'm1', title: "'EICAR_Test_File' malware was detected", since: '2026-06-01T00:00:00Z'}

describe('alert wire format', () => {
  it('narrows values the model does not have', () => {
    const a = alertFromWire({...base, status: 'Unknown', severity: 'high', incidentId: null, evidence: [{entityType: 'File', fileName: 'x.com', sha256: 'ABC'}, {entityType: 'User'}]})
    expect(a).toMatchObject({status: 'New', severity: 'High', incidentId: 0, mitreTechniques: [], comments: []})
    expect(a.evidence).toEqual([{entityType: 'File', fileName: 'x.com', filePath: null, sha256: 'abc', processCommandLine: null, detectionStatus: null}])
  })

  it('matches the EICAR alert by file name or EICAR hash, for that machine, since the file was written', () => {
    const named = {...base, evidence: [{entityType: 'File', fileName: 'atpctl-eicar-1.com'}]}
    expect(alertMatches(named, {...query, evidenceFileName: 'atpctl-eicar-1.com'})).toBe(true)
    expect(alertMatches(named, {...query, evidenceFileName: 'atpctl-eicar-2.com'})).toBe(false)
    const hashed = {...base, evidence: [{entityType: 'File', fileName: 'quarantined', sha256: EICAR_SHA256}]}
    expect(alertMatches(hashed, {...query, evidenceFileName: 'atpctl-eicar-2.com'})).toBe(true)
    expect(alertMatches({...hashed, machineId: 'm2'}, {...query, evidenceFileName: 'x'})).toBe(false)
    expect(alertMatches({...hashed, alertCreationTime: '2026-05-31T00:00:00Z'}, {...query, evidenceFileName: 'x'})).toBe(false)
  })

  it('matches test-alert titles as the portal spells them', () => {
    expect(normaliseTitle('[Test Alert] Suspicious PowerShell commandline')).toBe(normaliseTitle('[TestAlert] Suspicious PowerShell CommandLine'))
    expect(alertMatches({...base, title: '[Test Alert] Suspicious PowerShell commandline'}, {...query, title: '[TestAlert] Suspicious PowerShell CommandLine'})).toBe(true)
    expect(alertMatches({...base, title: 'Other'}, {...query, title: '[TestAlert] Suspicious PowerShell CommandLine'})).toBe(false)
  })

  it('resolves with status and, when given, the comment', () => {
    expect(resolvePatch()).toEqual({status: 'Resolved'})
    expect(resolvePatch({comment: 'done'})).toEqual({status: 'Resolved', comment: 'done'})
    expect(resolvePatch({comment: ' x ', classification: 'TruePositive', determination: 'Malware'})).toEqual({status: 'Resolved', classification: 'TruePositive', determination: 'Malware', comment: 'x'})
  })

  it('maps the kebab-case command-line values to the API\'s classification and determination', () => {
    expect(CLASSIFICATION_CHOICES).toEqual({'false-positive': 'FalsePositive', 'true-positive': 'TruePositive', 'informational-expected-activity': 'InformationalExpectedActivity'})
    expect(DETERMINATION_CHOICES['line-of-business-application']).toBe('LineOfBusinessApplication')
    expect(Object.keys(DETERMINATION_CHOICES)).toHaveLength(12)
    expect(parseClassification('True-Positive')).toBe('TruePositive')
    expect(parseClassification('FalsePositive')).toBe('FalsePositive')
    expect(parseDetermination('security-testing')).toBe('SecurityTesting')
    expect(() => parseClassification('unknown')).toThrow(/Invalid --classification 'unknown'/)
    expect(() => parseDetermination('bad')).toThrow(/Invalid --determination/)
    expect(checkResolution({classification: 'informational-expected-activity', determination: 'Clean'})).toEqual({classification: 'InformationalExpectedActivity', determination: 'Clean'})
    expect(() => checkResolution({comment: '  '})).toThrow(/The comment is empty/)
  })
})
