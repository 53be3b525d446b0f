import {Flags} from '@oclif/core'
import {CLOUDS} from '../core/integration/catalogue.js'

/** Flags shared by `integration enable` and `integration disable`. */
// Rules (SPEC): DC2, DC5.
export const integrationTargetFlags = {
  provider: Flags.string({description: 'Third-party provider id (third-party), e.g. sentinelone.'}),
  subscription: Flags.string({description: 'Azure subscription id (defender-for-cloud).'}),
}

export const dfcEnableFlags = {
  cloud: Flags.string({description: 'Cloud of the subscription (defender-for-cloud; china is refused).', options: [...CLOUDS], default: 'commercial'}),
  'windows-only': Flags.boolean({description: 'Enable Windows only, as legacy subscriptions had it; Linux then needs the one-time --linux step.'}),
}
