/** ConfigMgr Defender ATP policies, deployment and the monitoring dashboard (issue 4; CM3–CM7). */
import type {MonitorReport, MonitorRequest} from '../monitor/types.js'
import type {Page, PageRequest} from './page.js'
import type {DeploymentPlan, DeployRequest, Policy, PolicyCreateRequest} from '../policy/types.js'

export interface PolicyApi {
  /**
   * Stores a policy. Refuses (exit 4) an existing name and a ConfigMgr 2002 policy without both
   * file and key/ID (CM4); a Workspace ID/key or file of another tenant, or an expired
   * offboarding file, is invalid input (exit 7).
   */
  create(request: PolicyCreateRequest): Promise<Policy>
  /** By name. */
  list(request?: PageRequest): Promise<Page<Policy>>
  get(name: string): Promise<Policy>
  /** Deletes a policy and its deployments. */
  delete(name: string): Promise<Policy>
  /**
   * Computes the per-device plan for deploying to the collections (CM1, CM3, CM7). Without
   * dryRun it records the deployment in one transaction, unless devices would be missed and
   * force is false: then nothing changes and the plan comes back with refused = true.
   */
  deploy(request: DeployRequest): Promise<DeploymentPlan>
}

export interface MonitorApi {
  /** The ConfigMgr dashboard figures (CM6), computed from the agent model. */
  report(request: MonitorRequest): Promise<MonitorReport>
}
