/**
 * The shared backend contract (issue 7): the same cases run against the embedded backend and
 * against `atpctl serve` started in-process on a loopback port 0 with the remote backend
 * talking to it. Every capability adds a `*.cases.ts` file to this folder and one line to
 * ./index.ts; the cases see only the Backend interface.
 */
import {join} from 'node:path'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import {openRemoteBackend} from '../../../src/backends/remote/index.js'
import type {Backend} from '../../../src/core/port/types.js'
import {startServer, type RunningServer} from '../../../src/server/run.js'
import {tempHome} from '../../helpers/cli.js'

export interface ContractTarget {
  name: 'local' | 'remote'
  backend: Backend
  /** The server of a remote target (null for local). */
  server: RunningServer | null
  /** A second backend on the same data with full rights (for arranging state), the local one itself for local. */
  admin: Backend
  cleanup(): Promise<void>
}

export type TargetKind = ContractTarget['name']
export const TARGET_KINDS: TargetKind[] = ['local', 'remote']

/** A fresh target: an empty database, with a tenant when asked. */
export async function openTarget(kind: TargetKind, options: {withTenant?: boolean} = {}): Promise<ContractTarget> {
  const {home, cleanup} = tempHome(`atpctl-contract-${kind}-`)
  const dbPath = join(home, 'tenant.db')
  if (kind === 'local') {
    const backend = await openLocalBackend(dbPath, {profile: 'contract', actor: 'test:contract'})
    if (options.withTenant) await backend.tenant.create({location: 'us', datacenter: 'EastUs3'})
    return {
      name: kind,
      backend,
      server: null,
      admin: backend,
      async cleanup() {
        await backend.close()
        cleanup()
      },
    }
  }

  // The owner key is created straight in the database, as `atpctl apikey create` does on the server host.
  const seed = await openLocalBackend(dbPath, {profile: 'contract', actor: 'test:contract'})
  const secret = (await seed.apiKeys.create({name: 'contract-owner', role: 'owner'})).secret!
  if (options.withTenant) await seed.tenant.create({location: 'us', datacenter: 'EastUs3'})
  await seed.close()
  const server = await startServer({databasePath: dbPath, profile: 'contract', host: '127.0.0.1', port: 0, rateLimit: 0})
  const backend = openRemoteBackend({url: server.url, apiKey: secret, actor: 'contract:jest'})
  return {
    name: kind,
    backend,
    server,
    admin: backend,
    async cleanup() {
      await backend.close()
      await server.close()
      cleanup()
    },
  }
}

/** A contract suite: a name and the cases, written against `get()` (the target of the run). */
export interface ContractSuite {
  name: string
  /** Whether the target starts with a tenant (most suites want one). */
  withTenant?: boolean
  define(get: () => ContractTarget): void
}
