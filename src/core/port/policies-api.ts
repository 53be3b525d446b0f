/** ConfigMgr Defender ATP policies, deployment and the monitoring dashboard (issue 4; CM3–CM7). */
import type {MonitorReport, MonitorRequest} from '../monitor/types.js'
import type {DeleteImpact} from '../endpoint-lifecycle.js'
import type {PolicyChange} from '../policy/rules.js'
import type {Page, PageRequest} from './page.js'
import type {DeploymentPlan, DeployRequest, Policy, PolicyCreateRequest} from '../policy/types.js'
import type {Operation} from './operations-api.js'
import type {RemovalOptions} from './collections-api.js'

/**
 * A deployment's answer: the plan, and the operation that applies it (issue 11 item 5). The
 * operation is null when nothing was started: a dry run, or a deployment refused because
 * devices would be missed (the plan says so with refused = true).
 */
export interface DeployOutcome {
  plan: DeploymentPlan
  operation: Operation<DeploymentPlan> | null
}

export interface UndeployRequest extends RemovalOptions {
  name: string
  collections: string[]
}

export interface PolicyApi {
  /**
   * Stores a policy. The same create again changes nothing (`changed: false`); the name with
   * other content is a ConflictError (exit 4). A ConfigMgr 2002 policy without both file and
   * key/ID is refused (CM4, exit 4); a Workspace ID/key or file of another tenant, or an expired
   * offboarding file, is invalid input (exit 7).
   */
  create(request: PolicyCreateRequest): Promise<{policy: Policy; changed: boolean}>
  /** By name. */
  list(request?: PageRequest): Promise<Page<Policy>>
  get(name: string): Promise<Policy>
  /**
   * Changes a policy, re-checking everything create checks (CM4, CM7, the tenant's file and
   * Workspace). A deployed policy that would stop reaching devices it reaches now is refused
   * (CM3, exit 4) unless `force`.
   */
  update(name: string, change: PolicyChange): Promise<{policy: Policy; changed: boolean}>
  /** Deletes a policy and its deployments; a deployed one needs `force` (RuleError IN_USE otherwise). */
  delete(name: string, options?: RemovalOptions): Promise<{policy: Policy; changed: boolean; impact: DeleteImpact}>
  /**
   * Removes the policy's deployments to the collections (the agent model re-evaluates their
   * devices); needs `force` (RuleError IN_USE otherwise). A collection it is not deployed to is
   * reported in `notDeployed`; an unknown one is exit 3.
   */
  undeploy(request: UndeployRequest): Promise<{policy: Policy; changed: boolean; removed: string[]; notDeployed: string[]; impact: DeleteImpact}>
  /**
   * Computes the per-device plan for deploying to the collections (CM1, CM3, CM7). Without
   * dryRun it records the deployment in one transaction, unless devices would be missed and
   * force is false: then nothing changes and the plan comes back with refused = true. An
   * applied deployment comes with its operation (the embedded backend's has finished).
   */
  deploy(request: DeployRequest): Promise<DeployOutcome>
}

export interface MonitorApi {
  /** The ConfigMgr dashboard figures (CM6), computed from the agent model. */
  report(request: MonitorRequest): Promise<MonitorReport>
}
