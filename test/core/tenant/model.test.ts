import {parseLocation, resolveDatacenter} from '../../../src/core/tenant/model.js'

describe('tenant location and datacenter (T1)', () => {
  it('accepts us, eu and uk in any case', () => {
    expect(parseLocation('EU')).toBe('eu')
    expect(() => parseLocation('mars')).toThrow(expect.objectContaining({exitCode: 2}))
  })

  it('defaults the datacenter per location and refuses one from another location', () => {
    expect(resolveDatacenter('uk')).toBe('WestUk')
    expect(resolveDatacenter('eu', 'northeurope')).toBe('NorthEurope')
    expect(() => resolveDatacenter('us', 'WestEurope')).toThrow(/not in location 'us'/)
  })
})
