import {jest} from '@jest/globals'
import type {Spinner} from '../../../src/ui/spinner.js'
import {waitHooks} from '../../../src/ui/present/detect.js'

describe('waiting spinner (terminal only, elapsed time)', () => {
  it('starts with the title and device, ticks the elapsed seconds, and stops', async () => {
    const calls: string[] = []
    const spinner: Spinner = {
      text: '',
      start(text) {
        calls.push(`start ${text}`)
        return spinner
      },
      succeed: () => spinner,
      fail: () => spinner,
      stop() {
        calls.push('stop')
        return spinner
      },
    }
    jest.useFakeTimers({now: 0})
    try {
      const hooks = waitHooks(spinner)
      hooks.onWaitStart({device: 'web-01', title: 'macOS EDR Test Alert'})
      jest.advanceTimersByTime(3000)
      expect(spinner.text).toBe('Waiting for "macOS EDR Test Alert" on web-01… 3s')
      hooks.onWaitEnd()
      jest.advanceTimersByTime(5000)
      expect(spinner.text).toBe('Waiting for "macOS EDR Test Alert" on web-01… 3s')
    } finally {
      jest.useRealTimers()
    }

    expect(calls).toEqual(['start Waiting for "macOS EDR Test Alert" on web-01… 0s', 'stop'])
  })
})
