import type {IntuneState} from '../../../src/core/integration/types.js'

/** An Intune connection state with the given platform toggles. */
export function connection(on: Partial<Record<'android' | 'ios' | 'windows', boolean>> = {android: true, ios: true, windows: true}, enabled = true): IntuneState {
  return {
    enabled,
    connectorId: 'fc780465-2017-40d4-a0c5-307022471b92',
    classicPolicyId: enabled ? 'classic' : null,
    changedAt: null,
    platforms: {
      android: {enabled: Boolean(on.android), minimumVersion: '6.0.0'},
      ios: {enabled: Boolean(on.ios), minimumVersion: '8.0'},
      windows: {enabled: Boolean(on.windows), minimumVersion: '10.0.15063'},
    },
  }
}
