import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {UsageError} from '../../core/errors.js'
import {DEFAULT_VALID_DAYS, type GeneratedPackage, generatePackage} from '../../core/package/generate.js'
import {PACKAGE_KINDS, PACKAGE_METHODS, PACKAGE_OSES} from '../../core/package/layout.js'
import {presentGenerated} from '../../ui/present/package.js'
import {style} from '../../ui/style.js'

/** --method is required unless --subscription picks the one method Microsoft's API has. */
function missingMethod(): never {
  throw new UsageError('Missing required flag --method.', {suggestions: [`Pass --method with one of: ${PACKAGE_METHODS.join(', ')}.`]})
}

// Rules (SPEC): CM7, CM8, T2.
export default class PackageGenerate extends AdminCommand<{package: GeneratedPackage}> {
  static override summary = "Generate an onboarding or offboarding package for this profile's tenant."
  static override description = `The zip has the names, layout and signed blob of the portal's packages (Windows and Windows Server share one file); down-level writes the Workspace ID and key instead. Offboarding packages expire after --valid-days (default ${DEFAULT_VALID_DAYS}). Packages are secrets: written owner-only (0600), atomically, and recorded (see \`atpctl package list\`).

On a real tenant (a microsoft profile) --subscription downloads the one package Microsoft hands out by API: the onboarding script of that Defender for Cloud subscription, for --os windows, windows-server or linux with --method local-script (the default there), written exactly as received in the portal's zip. Every other pair, and offboarding packages, are only in the Microsoft Defender portal (exit 4 says where).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> onboarding --os windows --method group-policy',
    '<%= config.bin %> <%= command.id %> offboarding --os linux --method local-script --valid-days 7 --out offboard.zip',
    '<%= config.bin %> <%= command.id %> onboarding --os macos --method mdm --json',
    '<%= config.bin %> <%= command.id %> onboarding --os linux --subscription 00000000-0000-4000-8000-00000000d001 --out onboard-linux.zip',
  ]

  static override args = {
    kind: Args.string({description: 'onboarding or offboarding.', required: true, options: [...PACKAGE_KINDS]}),
  }

  static override flags = {
    os: Flags.string({description: 'Target operating system.', required: true, options: [...PACKAGE_OSES]}),
    method: Flags.string({description: 'Deployment method (invalid pairs list the valid methods); with --subscription, local-script unless given.', options: [...PACKAGE_METHODS]}),
    out: Flags.string({description: "Output file (default: the portal's file name in the current directory)."}),
    'valid-days': Flags.integer({description: `Offboarding validity in days, 1 to 30 (default ${DEFAULT_VALID_DAYS}).`, min: 1, max: 30}),
    streamlined: Flags.boolean({description: 'Onboarding with the streamlined (Gateway) connectivity fields.', default: false}),
    subscription: Flags.string({description: "A real tenant's Defender for Cloud subscription id: download its onboarding package (microsoft profiles only)."}),
  }

  async run(): Promise<{package: GeneratedPackage}> {
    const {args, flags} = await this.parse(PackageGenerate)
    const result = await generatePackage(await this.backend(), {
      kind: args.kind as (typeof PACKAGE_KINDS)[number],
      os: flags.os as (typeof PACKAGE_OSES)[number],
      method: (flags.method ?? (flags.subscription === undefined ? missingMethod() : 'local-script')) as (typeof PACKAGE_METHODS)[number],
      out: flags.out,
      directory: process.cwd(),
      validDays: flags['valid-days'],
      streamlined: flags.streamlined,
      subscription: flags.subscription,
      profile: this.profileName,
    })
    this.present(() => presentGenerated(result.package))
    this.note(style.warn('This package contains secrets: it is owner-only (0600); keep it that way when you copy it.'))
    return result
  }
}
