import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {resolveConfigMgrVersion, updatePolicy} from '../../core/policy/service.js'
import {type Policy, SAMPLE_SHARING, type SampleSharing} from '../../core/policy/types.js'
import {readSecretFile, readStdin} from '../../lib/secret-input.js'
import {changeLine} from '../../ui/present/lifecycle.js'
import {presentPolicy} from '../../ui/present/policy.js'

// Rules (SPEC): CM3, CM4, CM7 re-checked on the policy as it would be; issue 11 item 8.
export default class PolicyUpdate extends AdminCommand<{policy: Policy; changed: boolean}> {
  static override summary = 'Change a Configuration Manager policy: description, configuration file, Workspace key and ID, sample sharing, ConfigMgr version.'
  static override description = `Everything policy create checks is checked again on the policy as it would be: the file by the package inspector (this tenant, the policy's type, offboarding not expired), the Workspace key and ID (this tenant's, together), ConfigMgr 2002 needing all three. A deployed policy that would stop reaching devices of its deployments (a file or key removed, an older ConfigMgr version) is refused (exit 4) unless --force. The type cannot change: create another policy. Values equal to the current ones exit 0 with changed: false.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "ATP any OS" --description "All Windows, any version"',
    '<%= config.bin %> <%= command.id %> "ATP up-level" --workspace-id $WSID --workspace-key-file key.txt',
    '<%= config.bin %> <%= command.id %> "ATP any OS" --clear-workspace --force --json',
  ]

  static override args = {name: Args.string({description: 'Policy name.', required: true})}
  static override flags = {
    description: Flags.string({description: 'New description.'}),
    'config-file': Flags.string({description: 'New onboarding/offboarding configuration file or package zip (configmgr method).', exclusive: ['clear-config-file']}),
    'clear-config-file': Flags.boolean({description: 'Remove the configuration file (up-level devices then need another policy).', exclusive: ['config-file']}),
    'workspace-id': Flags.string({description: 'Workspace ID (down-level onboarding); with --workspace-key-file.', dependsOn: ['workspace-key-file'], exclusive: ['clear-workspace']}),
    'workspace-key-file': Flags.string({description: 'File holding the Workspace key, or - for stdin.', dependsOn: ['workspace-id'], exclusive: ['clear-workspace']}),
    'clear-workspace': Flags.boolean({description: 'Remove the Workspace key and ID (down-level devices then need another policy).'}),
    'sample-sharing': Flags.string({description: 'File samples shared for analysis.', options: [...SAMPLE_SHARING]}),
    'configmgr-version': Flags.string({description: 'Configuration Manager version, e.g. 1910, 2002, 2103.'}),
    force: Flags.boolean({description: 'Apply even when devices of its deployments would no longer be reached.'}),
  }

  async run(): Promise<{policy: Policy; changed: boolean}> {
    const {args, flags} = await this.parse(PolicyUpdate)
    let workspaceKey: string | null | undefined = flags['clear-workspace'] ? null : undefined
    if (flags['workspace-key-file']) workspaceKey = flags['workspace-key-file'] === '-' ? (await readStdin()).trim() : readSecretFile(flags['workspace-key-file'])
    const result = await updatePolicy(await this.backend(), {
      name: args.name,
      description: flags.description,
      configFile: flags['clear-config-file'] ? null : flags['config-file'],
      workspaceId: flags['clear-workspace'] ? null : flags['workspace-id'],
      workspaceKey,
      sampleSharing: flags['sample-sharing'] as SampleSharing | undefined,
      configMgrVersion: flags['configmgr-version'] === undefined ? undefined : resolveConfigMgrVersion(flags['configmgr-version'], undefined),
      force: flags.force,
      profile: this.profileName,
    })
    this.log(changeLine(`Policy '${result.policy.name}'`, result.changed, 'updated'))
    this.present(() => presentPolicy(result.policy))
    return result
  }
}
