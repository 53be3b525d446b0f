import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../../base/command.js'
import {type AccessPolicy, CLIENT_APPS, type ClientApp, GRANT_CONTROLS, type GrantControl} from '../../../core/access/rules.js'
import {updateAccessPolicy} from '../../../core/access/service.js'
import {presentAccessPolicy} from '../../../ui/present/access.js'

type Result = {policy: AccessPolicy; changed: boolean}

// Rules (SPEC): IN3, IN8.
export default class AccessPolicyUpdate extends AdminCommand<Result> {
  static override summary = "Change a custom conditional access policy's users, cloud apps, client apps or grant."
  static override description = `Only what you pass changes: each repeatable flag given replaces that whole list (repeat it
for several values); --no-exclude-groups clears the exclusions. Every rule of access policy
create applies again; the same settings change nothing ("changed": false). --report-only makes
it report-only (evaluated and reported, not enforced); --no-report-only enforces a report-only
policy. Turn a policy on or off with access policy enable/disable. The classic policy of the Intune connection is protected.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> "Require compliant device" --app sharepoint --app exchange',
    '<%= config.bin %> <%= command.id %> "Finance only" --exclude-group "Break glass" --exclude-group Auditors --json',
    '<%= config.bin %> <%= command.id %> "Finance only" --no-exclude-groups --client browser',
    '<%= config.bin %> <%= command.id %> "Require compliant device" --report-only',
  ]

  static override args = {name: Args.string({description: 'Policy name or id.', required: true})}
  static override flags = {
    'include-group': Flags.string({description: 'User group the policy applies to (repeatable; "all" for all users); replaces the list.', multiple: true}),
    'exclude-group': Flags.string({description: 'User group exempted from the policy (repeatable); replaces the list.', multiple: true, exclusive: ['no-exclude-groups']}),
    'no-exclude-groups': Flags.boolean({description: 'Exempt nobody.', default: false}),
    app: Flags.string({description: 'Cloud app to protect (repeatable; "all" for all cloud apps); replaces the list.', multiple: true}),
    client: Flags.string({description: 'Client app the policy covers (repeatable); replaces the list.', multiple: true, options: [...CLIENT_APPS]}),
    grant: Flags.string({description: 'Grant control.', options: [...GRANT_CONTROLS]}),
    'report-only': Flags.boolean({description: 'Report-only from now on (--no-report-only: enforce a report-only policy).', allowNo: true}),
  }

  async run(): Promise<Result> {
    const {args, flags} = await this.parse(AccessPolicyUpdate)
    const result = await updateAccessPolicy(await this.backend(), {
      policy: args.name,
      includeGroups: flags['include-group'],
      excludeGroups: flags['no-exclude-groups'] ? [] : flags['exclude-group'],
      apps: flags.app,
      clients: flags.client as ClientApp[] | undefined,
      grant: flags.grant as GrantControl | undefined,
      reportOnly: flags['report-only'],
      profile: this.profileName,
    })
    this.present(() => presentAccessPolicy(result.policy, result.changed ? 'updated' : 'already has these settings; unchanged'))
    return result
  }
}
