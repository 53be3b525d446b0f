import {Flags} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {UsageError} from '../core/errors.js'
import {getStatus, type StatusResult} from '../core/status.js'
import {LOCATION_FACTS, LOCATIONS, type Location, parseLocation} from '../core/tenant/model.js'
import {type InitResult, initTenant} from '../core/tenant/service.js'
import {ensureProfile} from '../lib/profiles.js'
import {presentStatus} from '../ui/present/status.js'
import {presentTenant} from '../ui/present/tenant.js'

/** `init --backend microsoft`: the profile now reaches the real tenant; what its sign-in allows. */
export interface MicrosoftInitResult {
  profile: string
  backend: 'microsoft'
  status: StatusResult
}

const SIGN_IN_FLAGS = ['client-secret-file', 'certificate-file', 'managed-identity', 'workload-identity', 'azure-cli', 'device-code'] as const

// Rules (SPEC): T1; §1 (the microsoft backend).
export default class Init extends AdminCommand<InitResult | MicrosoftInitResult> {
  static override summary = 'Create the tenant of a profile, or connect the profile to a server or to a real Microsoft tenant.'
  static override description = `The data location can never be changed afterwards: running init again with the same location does nothing, with another location it is refused (exit 4). On a terminal, missing values are asked for; otherwise pass --location.

With --backend microsoft the profile reaches a real tenant through the Defender for Endpoint API. Pass the tenant and the app registration's client ID, and one way to sign in: --client-secret-file FILE (or - for stdin, or AZURE_CLIENT_SECRET), --certificate-file PEM (or AZURE_CLIENT_CERTIFICATE_PATH), --managed-identity, --workload-identity (AZURE_FEDERATED_TOKEN_FILE, GitHub Actions and Azure Pipelines OIDC), --azure-cli or --device-code. With none, the environment is used (AZURE_* variables, then managed identity and the Azure CLI). atpctl signs in before it stores anything; the profile never holds a secret.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --location eu',
    '<%= config.bin %> <%= command.id %> --location us --datacenter CentralUs3 --profile lab',
    '<%= config.bin %> <%= command.id %> --location uk --json',
    '<%= config.bin %> <%= command.id %> --backend microsoft --tenant-id 00000000-0000-0000-0000-000000000000 --client-id 11111111-1111-1111-1111-111111111111 --client-secret-file ./secret --profile prod',
    'az login && <%= config.bin %> <%= command.id %> --backend microsoft --tenant-id 00000000-0000-0000-0000-000000000000 --client-id 11111111-1111-1111-1111-111111111111 --azure-cli',
  ]

  static override flags = {
    datacenter: Flags.string({description: 'Datacenter within the location (default: the first of the location).'}),
    location: Flags.string({description: 'Data location of the tenant, fixed forever.', options: [...LOCATIONS]}),
    remote: Flags.string({description: 'URL of an `atpctl serve` server: this profile then uses its tenant (remote backend).', dependsOn: ['api-key-file']}),
    'api-key-file': Flags.string({description: 'File with the API key for --remote; stored owner-only, never printed.', dependsOn: ['remote']}),
    'ca-file': Flags.string({description: 'PEM certificate (or CA) to trust for a self-signed --remote server or a private --backend microsoft endpoint (TLS verification stays on).'}),
    backend: Flags.string({description: 'microsoft: connect the profile to a real tenant (see the description).', options: ['microsoft']}),
    'tenant-id': Flags.string({description: 'Microsoft Entra tenant ID (GUID) of the real tenant.', helpGroup: 'MICROSOFT', env: 'AZURE_TENANT_ID'}),
    'client-id': Flags.string({description: "The app registration's application (client) ID (GUID).", helpGroup: 'MICROSOFT', env: 'AZURE_CLIENT_ID'}),
    cloud: Flags.string({description: 'Microsoft cloud.', options: ['commercial', 'gcc', 'gcc-high', 'dod'], default: 'commercial', helpGroup: 'MICROSOFT'}),
    'client-secret-file': Flags.string({description: 'Sign in with the client secret in this file (- reads it from stdin); never a flag value.', helpGroup: 'MICROSOFT'}),
    'certificate-file': Flags.string({description: "Sign in with this PEM (the app's certificate and its private key).", helpGroup: 'MICROSOFT'}),
    'managed-identity': Flags.boolean({description: 'Sign in as the managed identity of this Azure VM, Arc machine or pipeline.', helpGroup: 'MICROSOFT'}),
    'workload-identity': Flags.boolean({description: 'Sign in with a federated token (AZURE_FEDERATED_TOKEN_FILE, GitHub Actions or Azure Pipelines OIDC).', helpGroup: 'MICROSOFT'}),
    'federated-token-file': Flags.string({description: 'The federated token file of --workload-identity (default AZURE_FEDERATED_TOKEN_FILE).', helpGroup: 'MICROSOFT', dependsOn: ['workload-identity']}),
    'azure-cli': Flags.boolean({description: 'Sign in as the account of `az login`.', helpGroup: 'MICROSOFT'}),
    'device-code': Flags.boolean({description: 'Sign in as a person at this terminal (delegated permissions); the token cache stays owner-only in the profile.', helpGroup: 'MICROSOFT'}),
    'authority-host': Flags.string({description: 'Sign-in URL instead of the cloud\'s (proxies, private endpoints, tests).', helpGroup: 'MICROSOFT'}),
    'defender-url': Flags.string({description: "Defender for Endpoint API URL instead of the cloud's.", helpGroup: 'MICROSOFT'}),
    'graph-url': Flags.string({description: "Microsoft Graph URL instead of the cloud's.", helpGroup: 'MICROSOFT'}),
    'arm-url': Flags.string({description: "Azure Resource Manager URL instead of the cloud's.", helpGroup: 'MICROSOFT'}),
  }

  protected override createsProfile = true

  async run(): Promise<InitResult | MicrosoftInitResult> {
    const {flags} = await this.parse(Init)
    if (flags.backend === 'microsoft') return this.initMicrosoft(flags)
    const given = SIGN_IN_FLAGS.filter((f) => flags[f] !== undefined && flags[f] !== false)
    const microsoftOnly = [...given, ...(['authority-host', 'defender-url', 'graph-url', 'arm-url'] as const).filter((f) => flags[f] !== undefined)]
    if (microsoftOnly.length > 0) throw new UsageError(`--${microsoftOnly[0]} is for a real tenant.`, {suggestions: ['Add --backend microsoft --tenant-id GUID --client-id GUID.']})
    if (flags['ca-file'] !== undefined && flags.remote === undefined) throw new UsageError('--ca-file is for --remote or --backend microsoft.', {suggestions: ['Leave it out for the embedded backend.']})
    if (flags.remote !== undefined) return this.initRemote(flags.remote, flags['api-key-file']!, flags['ca-file'], flags.location, flags.datacenter)
    let location: Location
    let datacenter = flags.datacenter
    if (flags.location) {
      location = parseLocation(flags.location)
    } else {
      this.requireInteractive('--location us|eu|uk', 'the data location of the tenant')
      location = await this.prompter.select(
        'Data location (cannot be changed later)',
        LOCATIONS.map((l) => ({value: l, name: l, description: `datacenters: ${LOCATION_FACTS[l].datacenters.join(', ')}`})),
      )
      datacenter ??= await this.prompter.select(
        'Datacenter',
        LOCATION_FACTS[location].datacenters.map((d) => ({value: d})),
      )
    }

    const spinner = await this.spinner('Creating the tenant and its signing identity')
    spinner.start()
    const result = await initTenant(await this.backend(), {location, datacenter, profile: this.profileName})
    spinner.stop()
    await ensureProfile(this.home, this.profileName)
    this.present(() => presentTenant(result.tenant))
    this.note(result.created ? `Tenant created in profile '${this.profileName}'.` : `Tenant already exists in profile '${this.profileName}'; nothing changed.`)
    return result
  }

  /** `--remote`: connect the profile to a server (issue 7), then create or show the server's tenant. */
  private async initRemote(url: string, apiKeyFile: string, caFile: string | undefined, location: string | undefined, datacenter: string | undefined): Promise<InitResult> {
    const {connectRemoteProfile, initRemoteTenant} = await import('../backends/remote/profile.js')
    const {backend, connection} = await connectRemoteProfile(this.home, this.profileName, {url, apiKeyFile, caFile}, this.profileName)
    try {
      this.note(`Profile '${this.profileName}' now uses ${connection.url} as API key '${connection.whoami.name}' (role ${connection.whoami.role}).`)
      const result = await initRemoteTenant(backend, {profile: this.profileName, location: location ? parseLocation(location) : undefined, datacenter})
      this.present(() => presentTenant(result.tenant))
      return result
    } finally {
      await backend.close()
    }
  }

  /** `--backend microsoft`: sign in to the real tenant, then store the profile (issue 12). */
  private async initMicrosoft(flags: Record<string, string | boolean | undefined>): Promise<MicrosoftInitResult> {
    if (flags.remote !== undefined || flags.location !== undefined || flags.datacenter !== undefined) {
      throw new UsageError('--backend microsoft connects to an existing tenant: --remote, --location and --datacenter do not apply.', {suggestions: ['Leave them out; the data location was chosen when the tenant was set up.']})
    }

    const given = SIGN_IN_FLAGS.filter((f) => flags[f] !== undefined && flags[f] !== false)
    if (given.length > 1) throw new UsageError(`Pass one way to sign in, not ${given.map((f) => `--${f}`).join(' and ')}.`, {suggestions: ['Keep the one this machine or pipeline uses.']})
    const kind = given[0]
    const credential = {
      'client-secret-file': 'secret',
      'certificate-file': 'certificate',
      'managed-identity': 'managed-identity',
      'workload-identity': 'workload-identity',
      'azure-cli': 'azure-cli',
      'device-code': 'device-code',
    }[kind ?? 'client-secret-file']
    if (kind === 'device-code') this.requireInteractive('--client-secret-file, --certificate-file or --workload-identity', 'a terminal for device code sign-in')
    const secretFromStdin = flags['client-secret-file'] === '-'
    let secret: string | undefined
    if (secretFromStdin) {
      const {readStdin} = await import('../lib/secret-input.js')
      secret = (await readStdin()).trim()
      if (secret === '') throw new UsageError('No client secret on stdin.', {suggestions: ['Pipe it in: atpctl init --backend microsoft … --client-secret-file - < secret.txt']})
    }

    const {connectMicrosoftProfile} = await import('../backends/microsoft/profile.js')
    const spinner = await this.spinner('Signing in to the tenant')
    spinner.start()
    let status: StatusResult
    try {
      const backend = await connectMicrosoftProfile(
        this.home,
        this.profileName,
        {
          input: {
            tenantId: flags['tenant-id'] as string | undefined,
            clientId: flags['client-id'] as string | undefined,
            cloud: flags.cloud as string | undefined,
            credential: kind ? credential : undefined,
            secretFile: secretFromStdin ? undefined : (flags['client-secret-file'] as string | undefined),
            certificateFile: flags['certificate-file'] as string | undefined,
            federatedTokenFile: flags['federated-token-file'] as string | undefined,
            authorityHost: flags['authority-host'] as string | undefined,
            defenderUrl: flags['defender-url'] as string | undefined,
            graphUrl: flags['graph-url'] as string | undefined,
            armUrl: flags['arm-url'] as string | undefined,
            caFile: flags['ca-file'] as string | undefined,
          },
          secret,
          deviceCode: kind === 'device-code',
          verbose: this.verbose,
        },
        `${this.profileName}:init`,
      )
      try {
        const {guardCapabilities} = await import('../core/capabilities.js')
        status = await getStatus(guardCapabilities(backend), this.profileName)
      } finally {
        await backend.close()
      }
    } finally {
      spinner.stop()
    }

    this.present(() => presentStatus(status))
    this.note(`Profile '${this.profileName}' now uses the tenant ${status.signIn!.tenantId}.`)
    return {profile: this.profileName, backend: 'microsoft', status}
  }
}
