import {join} from 'node:path'
import {openLocalBackend} from '../../src/backends/local/index.js'
import type {Backend} from '../../src/core/port/types.js'
import {tempHome} from './cli.js'

/** A fresh embedded backend in a temp directory, optionally with a tenant already created. */
export async function tempBackend(options: {withTenant?: boolean; now?: () => Date} = {}): Promise<{backend: Backend; dir: string; cleanup(): Promise<void>}> {
  const {home, cleanup} = tempHome('atpctl-backend-')
  const backend = await openLocalBackend(join(home, 'tenant.db'), {profile: 'test', actor: 'test:jest', now: options.now})
  if (options.withTenant) await backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
  return {
    backend,
    dir: home,
    async cleanup() {
      await backend.close()
      cleanup()
    },
  }
}
