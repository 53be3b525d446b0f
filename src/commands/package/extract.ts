import {rmSync} from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {extractPackage, type ExtractResult} from '../../core/package/extract.js'
import {presentExtract} from '../../ui/present/package.js'

export default class PackageExtract extends AdminCommand<ExtractResult> {
  static override summary = 'Extract a package zip safely into a new directory.'
  static override description =
    'Refuses entries that escape the directory (.., absolute paths, drive letters), symlinks, duplicate names, bad CRCs and zip bombs (entry count, total size, compression ratio). Extracts into a temporary directory and moves it into place only when everything succeeded (an existing empty --dir is kept on failure; Ctrl-C removes the temporary directory, and leftovers of killed runs are removed by the next run); --dir may not be a symbolic link; files are owner-only.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> WindowsDefenderATPOnboardingPackage.zip --dir ./onboarding',
    '<%= config.bin %> <%= command.id %> package.zip --dir /tmp/pkg --json',
  ]

  static override args = {
    file: Args.string({description: 'Package zip to extract.', required: true}),
  }

  static override flags = {
    dir: Flags.string({description: 'Directory to create (must not exist, or be an empty directory; not a symbolic link).', required: true}),
  }

  async run(): Promise<ExtractResult> {
    const {args, flags} = await this.parse(PackageExtract)
    // Ctrl-C or a CI cancel (SIGTERM) mid-extraction must not leave the temporary directory behind.
    let temp: string | null = null
    const interrupted = () => {
      if (temp) rmSync(temp, {recursive: true, force: true})
      process.stderr.write('Cancelled; nothing was extracted.\n')
      process.exit(130)
    }

    process.once('SIGINT', interrupted).once('SIGTERM', interrupted)
    let result: ExtractResult
    try {
      result = await extractPackage(args.file, flags.dir, {onTemp: (t) => (temp = t)})
    } finally {
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted)
    }

    this.present(() => presentExtract(result))
    return result
  }
}
