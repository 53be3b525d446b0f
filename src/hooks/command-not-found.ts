import type {Hook} from '@oclif/core'
import {ExitCode} from '../base/exit-codes.js'
import {closestMatch} from '../core/did-you-mean.js'
import {terminalSafe} from '../ui/terminal-text.js'

/**
 * An unknown command is a usage error (exit 2), not oclif's default 1, with the closest
 * command when the words look like a typo (`device lst` → `device list`). Under --json the
 * error is the JSON error document on stdout, as for every other failure.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const argv = options.argv ?? []
  const words = options.id.split(':')
  const typed = words.join(' ')
  const ids = options.config.commands.filter((c) => !c.hidden).map((c) => c.id)
  const meant = closestMatch(options.id, ids)
  const suggestion = meant
    ? `Did you mean \`atpctl ${meant.replaceAll(':', ' ')}\`? Run \`atpctl ${meant.replaceAll(':', ' ')} --help\` for its flags.`
    : `Run \`atpctl ${topicOf(words, ids) ?? ''}--help\` to see the commands.`
  const message = `'${typed}' is not an atpctl command.`
  if (argv.includes('--json')) {
    const error = {code: 'USAGE', message, exitCode: ExitCode.usage, suggestions: [suggestion]}
    process.stdout.write(JSON.stringify({error}, null, 2) + '\n')
  } else {
    process.stderr.write(terminalSafe(`Error: ${message}\nTry this: ${suggestion}`) + '\n')
  }

  process.exit(ExitCode.usage)
}

/** `device bogus`: the known topic the typed words start with, for its command list ("device "). */
function topicOf(words: string[], ids: string[]): string | undefined {
  for (let n = words.length - 1; n > 0; n--) {
    const prefix = words.slice(0, n).join(':') + ':'
    if (ids.some((id) => id.startsWith(prefix))) return words.slice(0, n).join(' ') + ' '
  }

  return undefined
}

export default hook
