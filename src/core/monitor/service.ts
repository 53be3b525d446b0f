import type {Backend} from '../port/types.js'
import {requireTenant} from '../tenant/service.js'
import type {MonitorReport} from './types.js'

/** The Defender ATP dashboard of seed 001 (CM6): deployment status and agent health. */
export async function monitorDeployment(backend: Backend, options: {collection?: string; periodMs: number; profile: string}): Promise<MonitorReport> {
  await requireTenant(backend, options.profile)
  return backend.monitor.report({collection: options.collection, periodMs: options.periodMs})
}
