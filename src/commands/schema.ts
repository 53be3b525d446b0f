import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {writeOutput} from '../base/tenant-file.js'
import {TENANT_FILE_SCHEMA} from '../core/tenant-file/schema.js'

export default class Schema extends AdminCommand<Record<string, unknown>> {
  static override summary = 'Print the JSON Schema of atpctl.yaml, for editors and CI checks.'
  static override description =
    'Exported files start with "# yaml-language-server: $schema=atpctl.schema.json": write the schema there (beside the YAML file) and editors with the YAML language server complete and check the file as you type. The schema is the one atpctl validates with.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --out atpctl.schema.json',
    '<%= config.bin %> <%= command.id %> --out atpctl.schema.json --force',
    '<%= config.bin %> <%= command.id %> --json | jq .properties.policies.description',
  ]

  static override flags = {
    out: Flags.string({description: 'Write the schema to this file instead of stdout (atomically).'}),
    force: Flags.boolean({description: 'Replace the --out file if it exists.', default: false}),
  }

  async run(): Promise<Record<string, unknown>> {
    const {flags} = await this.parse(Schema)
    const text = JSON.stringify(TENANT_FILE_SCHEMA, null, 2) + '\n'
    if (flags.out) {
      await writeOutput(flags.out, text, {force: flags.force, mode: 0o644})
      this.note(`Wrote the schema to ${flags.out}.`)
    } else if (!this.jsonEnabled()) {
      this.log(text.trimEnd())
    }

    return TENANT_FILE_SCHEMA
  }
}
