import {Flags} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {type AccessPolicy, CLIENT_APPS, type ClientApp, GRANT_CONTROLS, type GrantControl} from '../../../core/access/rules.js'
import {createAccessPolicy} from '../../../core/access/service.js'
import {presentAccessPolicy} from '../../../ui/present/access.js'

// Rules (SPEC): IN8.
export default class AccessPolicyCreate extends AdminCommand<{policy: AccessPolicy; changed: boolean}> {
  static override summary = 'Create a conditional access policy that requires a compliant device.'
  static override description = `Users and groups to include and exclude (--include-group all for all users), cloud
apps (--app all for all), client apps (browser, mobile-desktop) and the grant "require
compliant device". Created enabled unless --disabled, or --report-only: evaluated at every
sign-in and reported by access check ("would have blocked"), never enforced, as admins run a
policy before enforcing it (enforce it later with access policy enable). The same create again changes nothing
(exit 0, "changed": false); the name with other settings is a conflict (exit 4): change it with
atpctl access policy update (or enable/disable).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --name "Require compliant device" --include-group all --app sharepoint --app exchange --client browser --client mobile-desktop',
    '<%= config.bin %> <%= command.id %> --name "Finance only" --include-group Finance --exclude-group "Break glass" --app all --client browser --disabled --json',
    '<%= config.bin %> <%= command.id %> --name "Pilot: compliant device" --include-group all --app all --report-only',
  ]

  static override flags = {
    name: Flags.string({description: 'Policy name.', required: true}),
    'include-group': Flags.string({description: 'User group the policy applies to (repeatable; "all" for all users).', multiple: true, required: true}),
    'exclude-group': Flags.string({description: 'User group exempted from the policy (repeatable).', multiple: true, default: []}),
    app: Flags.string({description: 'Cloud app to protect, e.g. sharepoint (repeatable; "all" for all cloud apps).', multiple: true, required: true}),
    client: Flags.string({description: 'Client app the policy covers (repeatable).', multiple: true, options: [...CLIENT_APPS], default: [...CLIENT_APPS]}),
    grant: Flags.string({description: 'Grant control.', options: [...GRANT_CONTROLS], default: 'compliant-device'}),
    disabled: Flags.boolean({description: 'Create the policy switched off.', default: false, exclusive: ['report-only']}),
    'report-only': Flags.boolean({description: 'Create it report-only: evaluated and reported, not enforced.', default: false}),
  }

  async run(): Promise<{policy: AccessPolicy; changed: boolean}> {
    const {flags} = await this.parse(AccessPolicyCreate)
    const result = await createAccessPolicy(await this.backend(), {
      name: flags.name,
      includeGroups: flags['include-group'],
      excludeGroups: flags['exclude-group'],
      apps: flags.app,
      clients: flags.client as ClientApp[],
      grant: flags.grant as GrantControl,
      enabled: !flags.disabled,
      reportOnly: flags['report-only'],
      profile: this.profileName,
    })
    this.present(() => presentAccessPolicy(result.policy, result.changed ? 'created' : 'already exists; unchanged'))
    return result
  }
}
