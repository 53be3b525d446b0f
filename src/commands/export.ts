import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {writeOutput} from '../base/tenant-file.js'
import type {TenantDocument} from '../core/tenant-file/document.js'
import {type OmittedKind, readTenantState} from '../core/tenant-file/export.js'
import {formatTenantFile} from '../core/tenant-file/format.js'
import {SETUP_KINDS, type SetupKind} from '../core/tenant-file/plan-types.js'
import {DEFAULT_SCHEMA_FILE} from '../core/tenant-file/schema.js'

export interface ExportResult {
  document: TenantDocument
  /** Kinds this backend cannot hold, left out, with what to do instead. */
  omitted: OmittedKind[]
  /** The file written, or null for stdout. */
  out: string | null
}

export default class Export extends AdminCommand<ExportResult> {
  static override summary = "Write the tenant's set-up as an atpctl.yaml, for review and tenant as code."
  static override description = `Everything the file format holds, read through the profile's backend: the tenant location, integrations, groups, collections, policies and their deployments, EDR profiles, compliance and access policies, app configurations. Lists are sorted by name, so exports of the same tenant diff cleanly. Secrets are written as references, never values: the Workspace key as {env: ATPCTL_WORKSPACE_KEY}, a policy's configuration file as {file: NAME} (put the package there, relative to the YAML file). A kind the backend cannot hold is left out with a note on stderr. The device inventory is not exported (use device import).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --out atpctl.yaml',
    '<%= config.bin %> <%= command.id %> --only collection --only policy --out configmgr.yaml --force',
    '<%= config.bin %> <%= command.id %> --profile prod | <%= config.bin %> plan -f - --profile lab',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override flags = {
    out: Flags.string({description: 'Write the YAML to this file (atomically) instead of stdout.'}),
    only: Flags.string({description: 'Export only this kind (repeatable); a deployment goes with its policy.', options: [...SETUP_KINDS], multiple: true}),
    force: Flags.boolean({description: 'Replace the --out file if it exists.', default: false}),
    'schema-ref': Flags.string({description: `What the file's "$schema=" line points at: a path relative to the file, or a URL (default ${DEFAULT_SCHEMA_FILE}).`}),
  }

  async run(): Promise<ExportResult> {
    const {flags} = await this.parse(Export)
    const state = await readTenantState(await this.backend(), {only: flags.only as SetupKind[] | undefined})
    for (const o of state.omitted) this.note(`Left out ${o.kind}: this backend cannot hold it. ${o.reason}`)
    const text = formatTenantFile(state.document, {schemaRef: flags['schema-ref'], source: `profile '${this.profileName}'`})
    if (flags.out) {
      await writeOutput(flags.out, text, {force: flags.force, mode: 0o644})
      this.note(`Wrote ${flags.out}. Next: atpctl plan -f ${flags.out}`)
    } else if (!this.jsonEnabled()) {
      this.log(text.trimEnd())
    }

    return {document: state.document, omitted: state.omitted, out: flags.out ?? null}
  }
}
