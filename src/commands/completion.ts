import {Args} from '@oclif/core'
import {AdminCommand} from '../base/command.js'
import {COMPLETION_SHELLS, type CompletionShell, completionScript} from '../lib/completion.js'

export default class Completion extends AdminCommand<{shell: string; script: string}> {
  static override summary = 'Print a shell completion script for bash, zsh or PowerShell.'
  static override description = `Completes command words, flags and flag choices. Load it in the current shell, or add the line to your shell's start-up file (~/.bashrc, ~/.zshrc, $PROFILE).`
  static override examples = [
    'source <(<%= config.bin %> <%= command.id %> bash)',
    'source <(<%= config.bin %> <%= command.id %> zsh)',
    '<%= config.bin %> <%= command.id %> powershell | Out-String | Invoke-Expression',
    '<%= config.bin %> <%= command.id %> bash --json',
  ]

  static override args = {
    shell: Args.string({description: 'The shell.', required: true, options: [...COMPLETION_SHELLS]}),
  }

  async run(): Promise<{shell: string; script: string}> {
    const {args} = await this.parse(Completion)
    const commands = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id,
        flags: Object.values(c.flags)
          .filter((f) => !f.hidden && f.name !== 'json' && f.helpGroup !== 'GLOBAL')
          .map((f) => ({name: f.name, char: f.char, options: f.type === 'option' ? f.options : undefined})),
      }))
    const script = completionScript(args.shell as CompletionShell, this.config.bin, commands)
    // The script is code for a shell: printed as it is (the escaping of human output is for text).
    if (!this.jsonEnabled()) process.stdout.write(script)
    return {shell: args.shell, script}
  }
}
