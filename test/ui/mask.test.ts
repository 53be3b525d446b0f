import {maskSecret} from '../../src/ui/mask.js'

describe('maskSecret', () => {
  it('keeps a short prefix and the last 4 characters only', () => {
    expect(maskSecret('atpt_abcdefghijklmnopqrstuvwxyz0123')).toBe('atpt_…0123')
    expect(maskSecret('c2VjcmV0LWtleS1tYXRlcmlhbA==')).toBe('c2Vj…bA==')
  })

  it('hides short secrets entirely', () => {
    expect(maskSecret('short')).toBe('••••')
  })
})
