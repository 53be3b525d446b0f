import {Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {ExitCode} from '../../base/exit-codes.js'
import {type AccessDecision, CLIENT_APPS, parseClientApp} from '../../core/access/rules.js'
import {checkAccess} from '../../core/access/service.js'
import {presentDecision} from '../../ui/present/access.js'

export default class AccessCheck extends AdminCommand<AccessDecision> {
  static override summary = 'Decide whether a sign-in would be granted or blocked, and explain which policies decided it and why.'
  static override description = `Exit 0 when granted, 4 when blocked (with --json the decision document is printed either
way), so a CI job can gate on it. The device's compliance is evaluated as in
\`atpctl compliance evaluate\`: its risk from active alerts against the maximum of its policy.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --user alice@contoso.com --device FIN-LT-001 --app sharepoint --client browser',
    '<%= config.bin %> <%= command.id %> --user alice@contoso.com --device FIN-LT-001 --app exchange --client mobile-desktop --json',
  ]

  static override flags = {
    user: Flags.string({description: 'User principal name signing in.', required: true}),
    device: Flags.string({description: 'Device name or id signing in from.', required: true}),
    app: Flags.string({description: 'Cloud app being accessed, e.g. sharepoint.', required: true}),
    client: Flags.string({description: 'Client app used.', options: [...CLIENT_APPS], default: 'browser'}),
  }

  async run(): Promise<AccessDecision> {
    const {flags} = await this.parse(AccessCheck)
    const decision = await checkAccess(await this.backend(), {
      user: flags.user,
      device: flags.device,
      app: flags.app,
      client: parseClientApp(flags.client),
      profile: this.profileName,
    })
    this.present(() => presentDecision(decision))
    // The decision is the result in both cases; blocked still exits 4 (refused by a rule).
    if (decision.decision === 'block') process.exitCode = ExitCode.refused
    return decision
  }
}
