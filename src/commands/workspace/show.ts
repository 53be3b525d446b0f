import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {showWorkspace, type WorkspaceInfo} from '../../core/package/service.js'
import {maskSecret} from '../../ui/mask.js'
import {presentWorkspace} from '../../ui/present/package.js'
import {style} from '../../ui/style.js'

export default class WorkspaceShow extends AdminCommand<{workspace: WorkspaceInfo}> {
  static override summary = 'Show the Workspace ID and key for down-level onboarding (key masked unless --reveal).'
  static override description = 'Down-level systems (Windows 8.1, Windows Server 2012 R2, 2016 1709 and earlier) onboard with the Workspace ID and key instead of the configuration file (CM2, CM8). The key is a secret (T2).'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --reveal --json']

  static override flags = {
    reveal: Flags.boolean({description: 'Show the Workspace key in full.', default: false}),
  }

  async run(): Promise<{workspace: WorkspaceInfo}> {
    const {flags} = await this.parse(WorkspaceShow)
    if (flags.reveal) this.note(style.warn('Warning: the Workspace key is a secret; it is shown in full below.'))
    const result = await showWorkspace(await this.backend(), {profile: this.profileName, reveal: flags.reveal, mask: maskSecret})
    this.present(() => presentWorkspace(result.workspace))
    return result
  }
}
