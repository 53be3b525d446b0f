/**
 * Defender for Endpoint machine actions (REFERENCE §2.4) as atpctl operations (the port's
 * Operation): an offboarding sent to a real tenant is an operation that finishes later. Pure.
 */
import type {Operation, OperationStatus} from '../port/operations-api.js'
import type {OffboardResult} from './offboard.js'

export const MACHINE_ACTION_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'] as const
export type MachineActionStatus = (typeof MACHINE_ACTION_STATUSES)[number]

export interface WireMachineAction {
  id: string
  type: string
  status: string
  machineId: string
  computerDnsName?: string | null
  requestor?: string | null
  requestorComment?: string | null
  creationDateTimeUtc: string
  lastUpdateDateTimeUtc?: string | null
  cancellationDateTimeUtc?: string | null
}

/** atpctl's operation kind of a machine action type (Offboard → device.offboard). */
export function operationKind(type: string): string {
  return type.toLowerCase() === 'offboard' ? 'device.offboard' : `machine.${type.charAt(0).toLowerCase()}${type.slice(1)}`
}

/** The machine action type of an atpctl operation kind, or null when it is none. */
export function actionType(kind: string): string | null {
  if (kind === 'device.offboard') return 'Offboard'
  const m = /^machine\.(\w+)$/.exec(kind)
  return m ? m[1].charAt(0).toUpperCase() + m[1].slice(1) : null
}

/** Pending and InProgress are running; Succeeded succeeded; Failed, TimeOut and Cancelled failed. */
export function operationStatus(status: string): OperationStatus {
  const s = MACHINE_ACTION_STATUSES.find((v) => v.toLowerCase() === status.toLowerCase())
  if (s === 'Pending' || s === 'InProgress' || s === undefined) return 'running'
  return s === 'Succeeded' ? 'succeeded' : 'failed'
}

/** Is the action still open (a second one of the same type would be refused, §8.3)? */
export function isOpenAction(a: Pick<WireMachineAction, 'status'>): boolean {
  return operationStatus(a.status) === 'running'
}

/** A succeeded action's result: for an offboarding, the port's OffboardResult (same fields on every backend). */
export interface MachineActionResult extends OffboardResult {
  machineId: string
  actionStatus: string
}

export function actionToOperation(a: WireMachineAction, osName?: string): Operation<MachineActionResult> {
  const status = operationStatus(a.status)
  const device = a.computerDnsName || a.machineId
  const finishedAt = status === 'running' ? null : (a.cancellationDateTimeUtc ?? a.lastUpdateDateTimeUtc ?? a.creationDateTimeUtc)
  const result: Operation<MachineActionResult>['result'] =
    status === 'succeeded'
      ? {machineId: a.machineId, device, ...(osName === undefined ? {} : {osName}), comment: a.requestorComment ?? '', offboardedAt: finishedAt!, actionStatus: a.status}
      : status === 'failed'
        ? ({error: {code: `ACTION_${a.status.toUpperCase()}`, message: `The ${a.type} action on ${device} ended ${a.status}.`}} as unknown as MachineActionResult)
        : null
  return {id: a.id, kind: operationKind(a.type), status, target: device, startedAt: a.creationDateTimeUtc, finishedAt, result}
}
