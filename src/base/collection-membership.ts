import {Args} from '@oclif/core'

/** `collection add|remove NAME DEVICE...`: the collection, then any number of device names. */
export const membershipArgs = {
  name: Args.string({description: 'Collection name.', required: true}),
  device: Args.string({description: 'Device names.', required: true}),
}
