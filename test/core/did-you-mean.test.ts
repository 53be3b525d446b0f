import {closestMatch, editDistance} from '../../src/core/did-you-mean.js'

describe('did you mean', () => {
  const ids = ['device:list', 'device:show', 'device:import', 'token:mint', 'token:list', 'status']
  it('finds the command a typo meant', () => {
    expect(closestMatch('device:lst', ids)).toBe('device:list')
    expect(closestMatch('devcie:list', ids)).toBe('device:list')
    expect(closestMatch('tokn:mint', ids)).toBe('token:mint')
    expect(closestMatch('stauts', ids)).toBe('status')
  })

  it('suggests nothing for words that are not near any command', () => {
    expect(closestMatch('frobnicate', ids)).toBeUndefined()
    expect(closestMatch('device:frobnicate', ids)).toBeUndefined()
  })

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })
})
