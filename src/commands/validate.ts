import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {fileFlag, loadTenantFile, planTenantFile, pruneFlag} from '../base/tenant-file.js'
import {toErrorReport} from '../base/errors.js'
import {DriftError} from '../core/errors.js'
import {planHasChanges} from '../core/tenant-file/plan.js'
import type {SetupPlan} from '../core/tenant-file/plan-types.js'
import {renderPlanText} from '../ui/present/setup-plan.js'
import {planReportLines, type PlanReportsWritten, writePlanReports} from '../ui/setup-reports.js'

export interface ValidateResult {
  plan: SetupPlan
  /** Whether the tenant differs from the file (then the exit code is 14). */
  drift: boolean
  /** Where --junit and --html wrote their reports (absolute paths); only when asked. */
  reports?: PlanReportsWritten
}

export default class Validate extends AdminCommand<ValidateResult> {
  static override summary = 'Check that the tenant matches an atpctl.yaml; exit 14 when it drifted.'
  static override description = `For CI: computes the plan and exits 14 (DRIFT) when anything would be created or changed, or, with --prune, when the tenant has something of a kind the file lists that the file does not name; 0 when in sync. Only reads, so a read-only API key, role or app permission is enough. The plan is printed (with --json, the document holds it).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml',
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml --prune --json',
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml --profile prod || echo "prod drifted"',
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml --junit reports/tenant.xml --html reports/tenant.html',
  ]

  static override flags = {
    file: fileFlag,
    prune: pruneFlag,
    junit: Flags.string({description: 'Also write a JUnit XML report to this file: a test case per resource, failed where the tenant drifts, and per blocking rule prediction. Written in sync and on drift.', helpValue: 'FILE'}),
    html: Flags.string({description: 'Also write a self-contained HTML report to this file: the counts and a row per difference. Written in sync and on drift.', helpValue: 'FILE'}),
  }

  async run(): Promise<ValidateResult> {
    const {flags} = await this.parse(Validate)
    const parsed = await loadTenantFile(flags.file)
    const backend = await this.backend()
    const plan = await planTenantFile(backend, parsed, {file: flags.file, prune: flags.prune, profile: this.profileName})
    const drift = planHasChanges(plan)
    // The reports are written whatever the outcome, before the drift exit: CI publishes them
    // exactly when the check fails. One that cannot be written does not hide the drift.
    const asked = flags.junit !== undefined || flags.html !== undefined
    const {written, failures} = asked ? await writePlanReports(plan, {junit: flags.junit, html: flags.html}) : {written: {}, failures: []}
    const reports = asked ? {reports: written} : {}
    this.present(() => renderPlanText(plan))
    for (const line of planReportLines(written)) this.note(line)
    if (failures.length > 0 && !drift) {
      for (const failure of failures.slice(1)) this.note(`Error: ${failure.message}`)
      throw failures[0]
    }

    // On drift the exit code stays 14; a report that could not be written is said beside it.
    if (drift) for (const failure of failures) this.note(`Error: ${failure.message}`)
    if (drift) {
      const {create, update} = plan.summary
      const error = new DriftError(`Profile '${this.profileName}' differs from ${flags.file === '-' ? 'the file' : flags.file}: ${create} to create, ${update} to change, ${plan.summary.delete} to delete.`, {
        suggestions: [`Review the differences above, then apply the file (atpctl apply -f ${flags.file === '-' ? 'FILE' : flags.file}) or update it (atpctl export).`],
      })
      if (this.jsonEnabled()) {
        this.logJson({plan, drift, ...reports, error: toErrorReport(error), ...(failures.length > 0 ? {reportErrors: failures.map((f) => toErrorReport(f))} : {})})
        await this.flushStdout()
        this.exit(error.exitCode)
      }

      throw error
    }

    return {plan, drift, ...reports}
  }
}
