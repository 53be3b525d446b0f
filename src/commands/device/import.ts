import {Args, Flags} from '@oclif/core'
import {AdminCommand} from '../../base/command.js'
import {type ImportResult, importInventory, type InventoryFormat} from '../../core/device/service.js'
import {presentImport} from '../../ui/present/device.js'
import {createProgressBar} from '../../ui/progress-bar.js'

// Rules (SPEC): CM1, CM2.
export default class DeviceImport extends AdminCommand<ImportResult> {
  static override summary = 'Import a device inventory (CSV, JSON or NDJSON); devices are upserted by name.'
  static override description = `Columns (case-insensitive; ConfigMgr console export headers are accepted too, see the README): name, os, version, managedBy, environment, subscription, collections, user, groups, lastSeen, sensorService, otherFanotifySolution, previousInstall. Each row is classified (OS family, build, up-level / down-level / unsupported). CSV may be separated by commas, semicolons or tabs and be UTF-8 or UTF-16 with a byte order mark: Excel and PowerShell 5.1 exports are read as they are. FILE may be a named pipe, read as a stream. A bad row is reported with its line number and nothing is imported (exit 7), unless --skip-invalid; so is a file that is not valid text or is binary. The whole import is one transaction.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> inventory.csv',
    '<%= config.bin %> <%= command.id %> export.json --skip-invalid',
    '<%= config.bin %> <%= command.id %> inventory.csv --json',
  ]

  static override args = {
    file: Args.string({description: 'Inventory file (.csv, .tsv, .json, .ndjson; other names by content) or named pipe.', required: true}),
  }

  static override flags = {
    format: Flags.string({description: 'File format (default: from the extension or content).', options: ['csv', 'json', 'ndjson']}),
    'skip-invalid': Flags.boolean({description: 'Import the valid rows and report the invalid ones instead of refusing the file.'}),
  }

  async run(): Promise<ImportResult> {
    const {args, flags} = await this.parse(DeviceImport)
    const progress = createProgressBar('Importing', !this.jsonEnabled())
    const spinner = await this.spinner('Writing')
    let result: ImportResult
    try {
      result = await importInventory(await this.backend(), {
        file: args.file,
        format: flags.format as InventoryFormat | undefined,
        skipInvalid: flags['skip-invalid'],
        profile: this.profileName,
        onProgress: (done, total) => progress.update(done, total),
        onWriting(records) {
          progress.done()
          spinner.start(`Committing ${records} device(s)`)
        },
      })
    } finally {
      progress.done()
      spinner.stop()
    }

    this.present(() => presentImport(result))
    return result
  }
}
