/**
 * The dashboard of CM6 for a real tenant, from its machines (issue 12). Pure. The tenant knows no
 * ConfigMgr policy, so "eligible" means what Defender for Endpoint itself can onboard: machines
 * onboarded or reported CanBeOnboarded (discovered on the network). Health is counted over the
 * eligible machines with the CM6 mapping of core/device/machine.ts; collections are machine
 * tags, one row per tag.
 */
import {formatDuration} from '../duration.js'
import type {MachineDevice} from '../device/machine.js'
import type {CollectionMonitor, DeploymentStatus, HealthCounts, MonitorReport} from './types.js'

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10)

/** Eligible for the deployment figure: onboarded, or discovered and onboardable. */
export function isEligibleMachine(d: Pick<MachineDevice, 'onboarded' | 'machine'>): boolean {
  return d.onboarded || (d.machine.onboardingStatus ?? '').toLowerCase() === 'canbeonboarded'
}

interface Tally {
  members: number
  eligible: number
  onboarded: number
  health: HealthCounts
}

const emptyTally = (): Tally => ({members: 0, eligible: 0, onboarded: 0, health: {healthy: 0, inactive: 0, agentState: 0, notOnboarded: 0}})

function add(t: Tally, d: MachineDevice): void {
  t.members++
  if (!isEligibleMachine(d)) return
  t.eligible++
  if (d.onboarded) t.onboarded++
  if (d.health === 'healthy') t.health.healthy++
  else if (d.health === 'inactive') t.health.inactive++
  else if (d.health === 'agent-state') t.health.agentState++
  else t.health.notOnboarded++
}

const deployment = (t: Tally): DeploymentStatus => ({eligible: t.eligible, onboarded: t.onboarded, percent: pct(t.onboarded, t.eligible)})

/** Builds the report from the machines in scope (already limited to `collection`, a tag, when given). */
export function monitorFromMachines(devices: Iterable<MachineDevice>, options: {collection: string | null; periodMs: number; now: Date}): MonitorReport {
  const total = emptyTally()
  const byTag = new Map<string, Tally>()
  for (const d of devices) {
    add(total, d)
    for (const tag of d.collections) {
      if (options.collection !== null && tag.toLowerCase() !== options.collection.toLowerCase()) continue
      let t = byTag.get(tag)
      if (!t) byTag.set(tag, (t = emptyTally()))
      add(t, d)
    }
  }

  const collections: CollectionMonitor[] = [...byTag.entries()]
    .map(([name, t]) => ({name, members: t.members, deployment: deployment(t), health: t.health}))
    .sort((a, b) => a.name.localeCompare(b.name))
  return {
    collection: options.collection,
    periodMs: options.periodMs,
    period: formatDuration(options.periodMs),
    since: new Date(options.now.getTime() - options.periodMs).toISOString(),
    deployment: deployment(total),
    health: total.health,
    healthPercent: {
      healthy: pct(total.health.healthy, total.eligible),
      inactive: pct(total.health.inactive, total.eligible),
      agentState: pct(total.health.agentState, total.eligible),
      notOnboarded: pct(total.health.notOnboarded, total.eligible),
    },
    // The tenant does not say how a machine was onboarded.
    onboardedByPath: {'defender-for-endpoint': total.onboarded},
    devices: total.members,
    collections,
  }
}
