import {ALERT_ID_PATTERN, deviceRisk, dotnetTicks, newAlertId, parseSeverity, parseStatus} from '../../../src/core/alert/rules.js'

describe('alert rules', () => {
  it('IN7 input: risk is None without active alerts, else the highest active severity', () => {
    expect(deviceRisk([])).toBe('None')
    expect(deviceRisk([{status: 'Resolved', severity: 'High'}])).toBe('None')
    expect(deviceRisk([{status: 'New', severity: 'Low'}, {status: 'InProgress', severity: 'Informational'}])).toBe('Low')
    expect(deviceRisk([{status: 'New', severity: 'Low'}, {status: 'Resolved', severity: 'High'}, {status: 'New', severity: 'Medium'}])).toBe('Medium')
    expect(deviceRisk([{status: 'New', severity: 'UnSpecified'}])).toBe('Informational')
  })

  it('ids look like Microsoft alert ids: "da" + .NET ticks + "_" + number', () => {
    const at = new Date('2021-01-21T10:13:58.2838869Z')
    expect(dotnetTicks(Date.UTC(2021, 0, 21, 10, 13, 58, 283)).toString()).toBe('637468208382830000')
    const id = newAlertId(at)
    expect(id).toMatch(ALERT_ID_PATTERN)
    expect(id.startsWith(`da${dotnetTicks(at.getTime())}_`)).toBe(true)
  })

  it('parses severities and statuses case-insensitively, refusing others with exit 2', () => {
    expect(parseSeverity('low')).toBe('Low')
    expect(parseStatus('inprogress')).toBe('InProgress')
    expect(() => parseSeverity('Severe')).toThrow(expect.objectContaining({exitCode: 2}))
  })
})
