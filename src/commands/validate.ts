import {AdminCommand} from '../base/command.js'
import {fileFlag, loadTenantFile, pruneFlag, secretFacts} from '../base/tenant-file.js'
import {toErrorReport} from '../base/errors.js'
import {DriftError} from '../core/errors.js'
import {computePlan, planHasChanges} from '../core/tenant-file/plan.js'
import type {SetupPlan} from '../core/tenant-file/plan-types.js'
import {renderPlanText} from '../ui/present/setup-plan.js'

export interface ValidateResult {
  plan: SetupPlan
  /** Whether the tenant differs from the file (then the exit code is 14). */
  drift: boolean
}

export default class Validate extends AdminCommand<ValidateResult> {
  static override summary = 'Check that the tenant matches an atpctl.yaml; exit 14 when it drifted.'
  static override description = `For CI: computes the plan and exits 14 (DRIFT) when anything would be created or changed, or, with --prune, when the tenant has something of a kind the file lists that the file does not name; 0 when in sync. Only reads, so a read-only API key, role or app permission is enough. The plan is printed (with --json, the document holds it).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml',
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml --prune --json',
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml --profile prod || echo "prod drifted"',
  ]

  static override flags = {
    file: fileFlag,
    prune: pruneFlag,
  }

  async run(): Promise<ValidateResult> {
    const {flags} = await this.parse(Validate)
    const parsed = await loadTenantFile(flags.file)
    const backend = await this.backend()
    const plan = await computePlan(backend, parsed.document, {
      prune: flags.prune,
      file: flags.file,
      profile: this.profileName,
      positionOf: parsed.positionOf,
      now: () => new Date(),
      secrets: secretFacts(backend, flags.file),
    })
    const drift = planHasChanges(plan)
    this.present(() => renderPlanText(plan))
    if (drift) {
      const {create, update} = plan.summary
      const error = new DriftError(`Profile '${this.profileName}' differs from ${flags.file === '-' ? 'the file' : flags.file}: ${create} to create, ${update} to change, ${plan.summary.delete} to delete.`, {
        suggestions: [`Review the differences above, then apply the file (atpctl apply -f ${flags.file === '-' ? 'FILE' : flags.file}) or update it (atpctl export).`],
      })
      if (this.jsonEnabled()) {
        this.logJson({plan, drift, error: toErrorReport(error)})
        await this.flushStdout()
        this.exit(error.exitCode)
      }

      throw error
    }

    return {plan, drift}
  }
}
