import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {createPolicy, resolveConfigMgrVersion} from '../../core/policy/service.js'
import {POLICY_TYPES, type Policy, type PolicyType, SAMPLE_SHARING, type SampleSharing} from '../../core/policy/types.js'
import {readSecretFile, readStdin} from '../../lib/secret-input.js'
import {changeLine} from '../../ui/present/lifecycle.js'
import {presentPolicy} from '../../ui/present/policy.js'
import type {WizardAnswers} from '../../ui/policy-wizard.js'
import {style} from '../../ui/style.js'

// Rules (SPEC): CM2, CM3, CM4, CM7; the wizard follows seed 001.
export default class PolicyCreate extends AdminCommand<{policy: Policy; changed: boolean}> {
  static override summary = 'Create a Configuration Manager Defender ATP onboarding or offboarding policy.'
  static override description = `On a terminal without --name/--type, a wizard asks for each part, as the ConfigMgr console does. Up-level devices need the configuration file, down-level ones the Workspace key and ID; a collection with both needs all three. ConfigMgr 2002 needs all three whatever the collection. Creating a policy that exists with the same content changes nothing (exit 0); with other content it is a conflict (exit 4): change it with policy update. The file is checked by the package inspector: kind, signature, this tenant, offboarding not expired. The Workspace key is read from a file, stdin (-) or ATPCTL_WORKSPACE_KEY, never from a flag value.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --name "ATP any OS" --type onboarding --config-file onboarding.zip --workspace-id $WSID --workspace-key-file key.txt',
    '<%= config.bin %> <%= command.id %> --name "ATP offboard" --type offboarding --config-file WindowsDefenderATPOffboardingPackage_valid_until_2026-12-20.zip --json',
  ]

  static override flags = {
    name: Flags.string({description: 'Policy name.'}),
    description: Flags.string({description: 'Description.'}),
    type: Flags.string({description: 'onboarding or offboarding.', options: [...POLICY_TYPES]}),
    'config-file': Flags.string({description: 'Onboarding/offboarding configuration file or package zip (configmgr method).'}),
    'workspace-id': Flags.string({description: 'Workspace ID (down-level onboarding).'}),
    'workspace-key-file': Flags.string({description: 'File holding the Workspace key, or - for stdin (or set ATPCTL_WORKSPACE_KEY).'}),
    'sample-sharing': Flags.string({description: 'File samples shared for analysis.', options: [...SAMPLE_SHARING]}),
    'configmgr-version': Flags.string({description: 'Configuration Manager version, e.g. 1910, 2002, 2103 (default: profile setting configmgr-version, else 2103).'}),
  }

  async run(): Promise<{policy: Policy; changed: boolean}> {
    const {flags} = await this.parse(PolicyCreate)
    const configMgrVersion = resolveConfigMgrVersion(flags['configmgr-version'], this.profile().settings['configmgr-version'])
    let workspaceKey: string | undefined
    if (flags['workspace-key-file']) workspaceKey = flags['workspace-key-file'] === '-' ? (await readStdin()).trim() : readSecretFile(flags['workspace-key-file'])
    else if (process.env.ATPCTL_WORKSPACE_KEY && flags['workspace-id']) workspaceKey = process.env.ATPCTL_WORKSPACE_KEY.trim()
    let answers: Partial<WizardAnswers> = {
      name: flags.name,
      description: flags.description,
      type: flags.type as PolicyType | undefined,
      configFile: flags['config-file'],
      workspaceId: flags['workspace-id'],
      workspaceKey,
      sampleSharing: flags['sample-sharing'] as SampleSharing | undefined,
    }
    if (!answers.name || !answers.type) {
      this.requireInteractive(!answers.name ? '--name' : '--type', !answers.name ? 'the policy name' : 'the policy type')
      const backend = await this.backend()
      const tenant = await backend.tenant.get()
      const {runPolicyWizard} = await import('../../ui/policy-wizard.js')
      answers = await runPolicyWizard(this.prompter, answers, {workspaceId: tenant?.workspaceId ?? '', configMgrVersion})
    }

    const result = await createPolicy(await this.backend(), {
      name: answers.name!,
      description: answers.description ?? '',
      type: answers.type!,
      configFile: answers.configFile,
      workspaceId: answers.workspaceId,
      workspaceKey: answers.workspaceKey,
      sampleSharing: answers.sampleSharing ?? 'none',
      configMgrVersion,
      profile: this.profileName,
    })
    this.log(changeLine(`Policy '${result.policy.name}'`, result.changed, 'created'))
    this.present(() => presentPolicy(result.policy))
    if (result.changed) this.note(style.dim(`Next: atpctl policy deploy "${result.policy.name}" --collection <name> --dry-run`))
    return result
  }
}
