import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {parseDuration} from '../../core/duration.js'
import {assertUsable, type PackageInspection} from '../../core/package/inspect.js'
import {inspectForProfile} from '../../core/package/service.js'
import {presentInspection} from '../../ui/present/package.js'

export default class PackageInspect extends AdminCommand<PackageInspection> {
  static override summary = 'Inspect an onboarding or offboarding package (zip or loose file, ours or from the portal).'
  static override description =
    "Reports kind, OS, method, org id, datacenter, geo, blob version, expiry, whether both signatures verify against the embedded certificate, whether every line of every carrier script is part of its real layout (only the blob is signed), who signed it (Microsoft: chained to Microsoft Root Certificate Authority 2011, or to a root added with --trust-root), and whether it belongs to this profile's tenant. Expired, expiring (--fail-if-expires-within), tampered, unsafe (zip bomb) or malformed packages exit 7."

  static override examples = [
    '<%= config.bin %> <%= command.id %> WindowsDefenderATPOnboardingPackage.zip',
    '<%= config.bin %> <%= command.id %> WindowsDefenderATPOffboardingPackage_valid_until_2026-04-30.zip --fail-if-expires-within 7d',
    '<%= config.bin %> <%= command.id %> mdatp_onboard.json --json',
    '<%= config.bin %> <%= command.id %> WindowsDefenderATPOnboardingPackage.zip --trust-root private-cloud-root.pem',
  ]

  static override args = {
    file: Args.string({description: 'Package zip or carrier file (.cmd, .onboarding, .py, .plist, .xml, mdatp_onboard.json).', required: true}),
  }

  static override flags = {
    'fail-if-expires-within': Flags.string({description: 'Exit 7 when an offboarding package expires within this duration, e.g. 7d.'}),
    'trust-root': Flags.string({
      description: "Also trust this root certificate (PEM or DER) as Microsoft's, for a private or national cloud's packages; repeatable. Default: ATPCTL_TRUST_ROOT (one file).",
      multiple: true,
    }),
  }

  async run(): Promise<PackageInspection> {
    const {args, flags} = await this.parse(PackageInspect)
    const within = flags['fail-if-expires-within'] === undefined ? undefined : parseDuration(flags['fail-if-expires-within'], '--fail-if-expires-within')
    const trustRootFiles = flags['trust-root'] ?? (process.env.ATPCTL_TRUST_ROOT ? [process.env.ATPCTL_TRUST_ROOT] : [])
    const inspection = await inspectForProfile(await this.backend(), {file: args.file, failIfExpiresWithinMs: within, trustRootFiles})
    this.present(() => presentInspection(inspection))
    return assertUsable(inspection)
  }
}
