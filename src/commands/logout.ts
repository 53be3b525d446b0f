import {AdminCommand} from '../base/command.js'
import {UsageError} from '../core/errors.js'

interface LogoutResult {
  profile: string
  /** What was removed: the kept client secret, the device code token cache. */
  removed: string[]
}

// Rules (SPEC): §3 real tenant.
export default class Logout extends AdminCommand<LogoutResult> {
  static override summary = "Remove a microsoft profile's saved sign-in: the device code token cache and a client secret kept from stdin."
  static override description = 'The profile keeps its tenant, app and cloud; sign in again with atpctl init --backend microsoft. Nothing to remove is not an error.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --profile prod --json']

  async run(): Promise<LogoutResult> {
    await this.parse(Logout)
    const profile = this.profile()
    if (profile.backend !== 'microsoft') {
      throw new UsageError(`Profile '${this.profileName}' does not sign in to a Microsoft tenant (backend ${profile.backend}).`, {
        suggestions: ['A remote profile keeps an API key: atpctl profile remove removes it with the profile.'],
      })
    }

    const {logoutProfile} = await import('../backends/microsoft/profile.js')
    const {removed} = logoutProfile(this.home, this.profileName)
    this.present(() => (removed.length > 0 ? `Removed the ${removed.join(' and the ')} of profile '${this.profileName}'.` : `Profile '${this.profileName}' has no saved sign-in; nothing to remove.`))
    return {profile: this.profileName, removed}
  }
}
