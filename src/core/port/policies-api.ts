/** ConfigMgr Defender ATP policies, deployment and the monitoring dashboard (issue 4; CM3–CM7). */
import type {MonitorReport, MonitorRequest} from '../monitor/types.js'
import type {DeploymentPlan, DeployRequest, Policy, PolicyCreateRequest} from '../policy/types.js'
import type {Operation} from './operations-api.js'

/**
 * A deployment's answer: the plan, and the operation that applies it (issue 11 item 5). The
 * operation is null when nothing was started: a dry run, or a deployment refused because
 * devices would be missed (the plan says so with refused = true).
 */
export interface DeployOutcome {
  plan: DeploymentPlan
  operation: Operation<DeploymentPlan> | null
}

export interface PolicyApi {
  /**
   * Stores a policy. Refuses (exit 4) an existing name and a ConfigMgr 2002 policy without both
   * file and key/ID (CM4); a Workspace ID/key or file of another tenant, or an expired
   * offboarding file, is invalid input (exit 7).
   */
  create(request: PolicyCreateRequest): Promise<Policy>
  list(): Promise<Policy[]>
  get(name: string): Promise<Policy>
  /** Deletes a policy and its deployments. */
  delete(name: string): Promise<Policy>
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
