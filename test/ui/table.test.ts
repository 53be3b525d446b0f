import {listLimit} from '../../src/base/flags.js'
import {DEFAULT_LIMIT, fitWidths, moreFooter, renderFields, renderTable} from '../../src/ui/table.js'

describe('renderTable', () => {
  it('aligns columns with two spaces and leaves the last column unpadded', () => {
    expect(renderTable(['NAME', 'OS'], [['a', 'Windows 10'], ['longer-name', 'Ubuntu']], {maxWidth: undefined})).toBe(
      ['NAME         OS', 'a            Windows 10', 'longer-name  Ubuntu'].join('\n'),
    )
  })

  it('renders 200,000 rows (a spread of that many arguments overflows the call stack)', () => {
    const rows = Array.from({length: 200_000}, (_, i) => [`host-${i}`, 'Windows 10'])
    const text = renderTable(['NAME', 'OS'], rows, {maxWidth: undefined})
    expect(text.split('\n')).toHaveLength(200_001)
    expect(text.endsWith('host-199999  Windows 10')).toBe(true)
    expect(renderFields(Array.from({length: 200_000}, (_, i) => [`k${i}`, 'v'] as [string, string])).split('\n')).toHaveLength(200_000)
  })

  it('on a terminal, cuts the widest columns with … until every line fits', () => {
    const rows = [['web-01', 'Windows Server 2019 Datacenter Evaluation Edition', 'configmgr;intune;defender-for-cloud', 'ok']]
    const text = renderTable(['NAME', 'OS', 'MANAGED BY', 'HEALTH'], rows, {maxWidth: 60})
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60)
    expect(text).toContain('web-01')
    const row = text.split('\n')[1]
    expect(row.match(/…/g)).toHaveLength(2)
    expect(row).toMatch(/Windows Server 2019\S* ?…/)
    expect(row).toMatch(/configmgr;intune\S*…/)
    expect(row.endsWith('ok')).toBe(true)
  })

  it('piped (no width), prints every character', () => {
    const long = 'x'.repeat(500)
    expect(renderTable(['A', 'B'], [[long, 'y']], {maxWidth: undefined})).toContain(long)
  })

  it('never cuts a column below its header or 6 characters, even on a very narrow terminal', () => {
    expect(fitWidths([30, 40], ['NAME', 'OPERATING SYSTEM'], 10)).toEqual([6, 16])
  })

  it('keeps each row on one line: a newline or tab inside a cell is shown escaped', () => {
    expect(renderTable(['A', 'B'], [['two\nlines', 'tab\there']], {maxWidth: undefined}).split('\n')).toEqual(['A             B', 'two\\x0alines  tab\\x09here'])
  })
})

describe('one --limit for every listing', () => {
  it('tables default to DEFAULT_LIMIT rows; --json gets all; --limit is the limit for both', () => {
    expect(listLimit(undefined, false)).toBe(DEFAULT_LIMIT)
    expect(listLimit(undefined, true)).toBeUndefined()
    expect(listLimit(5, false)).toBe(5)
    expect(listLimit(5, true)).toBe(5)
  })

  it('one footer: the count when known, the flag that shows more', () => {
    expect(moreFooter({shown: 10, total: 25})).toBe('… 15 more; use --limit 25 to see them all, or --json.')
    expect(moreFooter({shown: 10, more: true})).toBe('… more not shown (this is the first 10); use --limit N to see more, or --json.')
    expect(moreFooter({shown: 20, total: 30, flag: null})).toBe('… 10 more; see --json.')
    expect(moreFooter({shown: 10, total: 10})).toBe('')
    expect(moreFooter({shown: 10, more: false})).toBe('')
  })
})
