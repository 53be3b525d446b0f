import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {showWorkspace, type WorkspaceInfo} from '../../core/package/service.js'
import {checkSecretTarget, writeSecretFile} from '../../lib/secret-file.js'
import {maskSecret} from '../../ui/mask.js'
import {presentWorkspace} from '../../ui/present/package.js'
import {style} from '../../ui/style.js'

export default class WorkspaceShow extends AdminCommand<{workspace: WorkspaceInfo; keyFile?: string}> {
  static override summary = 'Show the Workspace ID and key for down-level onboarding (key masked unless --reveal).'
  // T2, CM2, CM8: down-level onboarding by Workspace ID and key; the key is a secret.
  static override description = `Down-level systems (Windows 8.1, Windows Server 2012 R2, 2016 1709 and earlier) onboard with the Workspace ID and key instead of the configuration file. The key is a secret: --out FILE writes it, and nothing else, to an owner-only file for --workspace-key-file.`
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --reveal --out key.txt',
    '<%= config.bin %> <%= command.id %> --reveal --json',
  ]

  static override flags = {
    reveal: Flags.boolean({description: 'Show the Workspace key in full.', default: false}),
    out: Flags.string({description: 'Write the Workspace key alone to this file (owner-only, 0600); the output then shows it masked.'}),
    force: Flags.boolean({description: 'Replace the --out file if it exists.', dependsOn: ['out']}),
  }

  async run(): Promise<{workspace: WorkspaceInfo; keyFile?: string}> {
    const {flags} = await this.parse(WorkspaceShow)
    if (flags.out) checkSecretTarget(flags.out, {force: flags.force})
    const reveal = flags.reveal && !flags.out
    if (reveal) this.note(style.warn('Warning: the Workspace key is a secret; it is shown in full below.'))
    const result = await showWorkspace(await this.backend(), {profile: this.profileName, reveal: reveal || Boolean(flags.out), mask: maskSecret})
    if (!flags.out) {
      this.present(() => presentWorkspace(result.workspace))
      return result
    }

    await writeSecretFile(flags.out, result.workspace.workspaceKey, {force: flags.force})
    // The key went to the file; the output shows it masked, --reveal or not.
    const workspace = {...result.workspace, workspaceKey: maskSecret(result.workspace.workspaceKey), revealed: false}
    this.present(() => presentWorkspace(workspace))
    this.note(`${style.ok('✓')} Workspace key written to ${flags.out} (owner-only). Pass it with --workspace-key-file ${flags.out}.`)
    return {workspace, keyFile: flags.out}
  }
}
