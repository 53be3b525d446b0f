import {Flags} from '@oclif/core'
import {readFile} from 'node:fs/promises'
import {AdminCommand} from '../base/command.js'
import {yesFlag} from '../base/flags.js'
import {secretReader} from '../base/secret-reader.js'
import {fileFlag, loadTenantFile, planTenantFile, pruneFlag} from '../base/tenant-file.js'
import {NotFoundError, UsageError} from '../core/errors.js'
import {
  assertNoBlockingPredictions,
  assertPlanOfDocument,
  assertStepsSupported,
  parseSavedPlan,
  resolveSetupSecrets,
  type SetupApplyResult,
  setupSteps,
  summariseApply,
} from '../core/tenant-file/apply.js'
import {documentSha256} from '../core/tenant-file/export.js'
import type {SetupPlan} from '../core/tenant-file/plan-types.js'
import {renderApplyResult} from '../ui/present/setup-apply.js'
import {renderPlanText} from '../ui/present/setup-plan.js'

export default class Apply extends AdminCommand<SetupApplyResult> {
  static override summary = 'Apply an atpctl.yaml to the tenant: show the plan, ask, then make the changes.'
  static override description = `Computes the plan (or takes one saved by atpctl plan --out with --plan), shows it, asks on a terminal (--yes in scripts), and applies it: creates and updates in dependency order, then, with --prune, deletes what the file does not name. The embedded backend and atpctl serve apply it in one transaction (everything or nothing); the microsoft backend applies it step by step and keeps a journal, so running the same command again after a failure continues where it stopped. A plan whose rules refuse (a tenant location that cannot change, a deployment that would miss devices, …) is refused before any change. A saved plan is refused when the tenant changed since it was made. Secrets the file references ({env: NAME} or {file: PATH}, relative to the file's folder) are read now and never shown.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml',
    '<%= config.bin %> <%= command.id %> -f atpctl.yaml --prune --yes --json',
    '<%= config.bin %> plan -f atpctl.yaml --out plan.json && <%= config.bin %> <%= command.id %> -f atpctl.yaml --plan plan.json --yes',
    '<%= config.bin %> export --profile prod | <%= config.bin %> <%= command.id %> -f - --profile lab --yes',
  ]

  static override flags = {
    file: fileFlag,
    prune: pruneFlag,
    plan: Flags.string({description: 'Apply this saved plan (atpctl plan --out) instead of planning again; refused when the tenant changed since.'}),
    yes: yesFlag,
  }

  async run(): Promise<SetupApplyResult> {
    const {flags} = await this.parse(Apply)
    const parsed = await loadTenantFile(flags.file)
    const {document} = parsed
    const backend = await this.backend()
    let plan: SetupPlan
    if (flags.plan) {
      plan = parseSavedPlan(await readPlan(flags.plan), flags.plan)
      assertPlanOfDocument(plan, documentSha256(document), flags.file)
      if (flags.prune && !plan.prune) throw new UsageError(`The plan ${flags.plan} was made without --prune.`, {suggestions: [`Make it again with: atpctl plan -f ${flags.file} --prune --out ${flags.plan}`]})
      // Whether the tenant changed since is the backend's to decide, inside its transaction (or,
      // on a backend that journals, allowing the changes its own interrupted run of this plan made).
    } else {
      plan = await planTenantFile(backend, parsed, {file: flags.file, prune: flags.prune, profile: this.profileName})
    }

    const steps = setupSteps(plan, document)
    assertStepsSupported(backend, steps)
    // A missing secret is named (exit 7) before the rules' refusals and before anything changes; secrets go to the backend only.
    const secrets = await resolveSetupSecrets(backend, document, plan, secretReader(flags.file), this.profileName)
    assertNoBlockingPredictions(plan)
    if (steps.length === 0) {
      const result: SetupApplyResult = {
        profile: this.profileName,
        backend: backend.kind,
        file: flags.file,
        prune: plan.prune,
        documentSha256: plan.documentSha256,
        tenantSha256: plan.tenantSha256,
        steps: [],
        summary: summariseApply(plan, []),
      }
      this.present(() => renderApplyResult(result))
      return result
    }

    this.present(() => renderPlanText(plan))
    await this.confirm(`Apply these ${steps.length} change(s) to profile '${this.profileName}'?`, {yes: flags.yes, what: `apply ${flags.file === '-' ? 'the file' : flags.file} to profile '${this.profileName}'`})
    const result = await backend.setup.apply({document, file: flags.file, prune: plan.prune, secrets, expectedTenantSha256: plan.tenantSha256})
    this.present(() => renderApplyResult(result))
    return result
  }
}

async function readPlan(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`The plan '${path}' does not exist.`, {suggestions: ['Save one with: atpctl plan -f atpctl.yaml --out plan.json']})
    throw new UsageError(`Cannot read the plan '${path}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`)
  }
}
