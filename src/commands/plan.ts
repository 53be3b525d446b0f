import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {fileFlag, loadTenantFile, planTenantFile, pruneFlag, writeOutput} from '../base/tenant-file.js'
import type {SetupPlan} from '../core/tenant-file/plan-types.js'
import {renderPlanText} from '../ui/present/setup-plan.js'

export default class Plan extends AdminCommand<SetupPlan> {
  static override summary = 'Show what applying an atpctl.yaml would change, and what the rules predict.'
  static override description = `Compares the file with the tenant resource by resource and field by field: what would be created (+), changed (~, each field as current -> desired) and, with --prune, deleted (-); without --prune what the file does not name is listed as unmanaged. The rules' predictions come before any change: a deployment that would miss devices, a Linux-only Defender for Cloud disable, a tenant location that cannot change, a reference nothing resolves. Only reads: nothing changes. Secrets are never in the plan; a configuration file is compared by its SHA-256, the Workspace key by being set.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml',
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml --prune --out plan.json',
    '<%= config.bin %> export --profile prod | <%= config.bin %> <%= command.id %> -f - --profile lab --json',
  ]

  static override flags = {
    file: fileFlag,
    prune: pruneFlag,
    out: Flags.string({description: 'Also write the plan as JSON to this file (owner-only, atomically), for apply --plan.'}),
    force: Flags.boolean({description: 'Replace the --out file if it exists.', default: false}),
  }

  async run(): Promise<SetupPlan> {
    const {flags} = await this.parse(Plan)
    const parsed = await loadTenantFile(flags.file)
    const backend = await this.backend()
    const plan = await planTenantFile(backend, parsed, {file: flags.file, prune: flags.prune, profile: this.profileName})
    if (flags.out) {
      await writeOutput(flags.out, JSON.stringify(plan, null, 2) + '\n', {force: flags.force})
      this.note(`Wrote the plan to ${flags.out}.`)
    }

    this.present(() => renderPlanText(plan))
    return plan
  }
}
