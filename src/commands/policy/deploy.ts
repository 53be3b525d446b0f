import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {waitFlags} from '../../base/flags.js'
import {resolveWait} from '../../core/operation/wait.js'
import {deployPolicy} from '../../core/policy/service.js'
import type {DeploymentPlan} from '../../core/policy/types.js'
import type {Operation} from '../../core/port/operations-api.js'
import {presentOperationLine} from '../../ui/present/operation.js'
import {presentPlan} from '../../ui/present/policy.js'

type PolicyDeployResult = {plan: DeploymentPlan; operation: Operation<DeploymentPlan> | null}

// Rules (SPEC): CM3.
export default class PolicyDeploy extends AdminCommand<PolicyDeployResult> {
  static override summary = 'Deploy a policy to collections, after checking which devices it would miss.'
  static override description = `Computes a per-device plan first: onboard, or not and why (unsupported OS for this ConfigMgr version, up-level without configuration file, down-level without Workspace key/ID, onboarding and offboarding on one device, expired offboarding file, not a ConfigMgr client). When any device would be missed it refuses (exit 4) unless --force. --dry-run only shows the plan (exit 0). The deployment is one transaction and an operation: the command waits for it (--wait DURATION, default 10m) or not (--no-wait); one still running is exit 9, followed with "atpctl operation wait ID".`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "ATP any OS" --collection Servers --collection Clients --dry-run',
    '<%= config.bin %> <%= command.id %> "ATP up-level" --collection Clients --force',
    '<%= config.bin %> <%= command.id %> "ATP any OS" --collection Servers --json',
    '<%= config.bin %> <%= command.id %> "ATP any OS" --collection Servers --no-wait',
  ]

  static override args = {name: Args.string({description: 'Policy name.', required: true})}
  static override flags = {
    collection: Flags.string({description: 'Target collection (repeatable).', multiple: true, required: true}),
    'dry-run': Flags.boolean({description: 'Show the plan and change nothing.'}),
    force: Flags.boolean({description: 'Deploy even though some devices would be missed.'}),
    ...waitFlags,
  }

  async run(): Promise<PolicyDeployResult> {
    const {args, flags} = await this.parse(PolicyDeploy)
    const result = await deployPolicy(await this.backend(), {
      name: args.name,
      collections: flags.collection,
      dryRun: flags['dry-run'],
      force: flags.force,
      profile: this.profileName,
      wait: {timeoutMs: resolveWait({wait: flags.wait, noWait: flags['no-wait']})},
      onRefused: (plan) => this.present(() => presentPlan(plan)),
    })
    this.present(() => presentPlan(result.plan))
    if (result.operation) this.note(presentOperationLine(result.operation))
    return result
  }
}
