import type {Hook} from '@oclif/core'

/** An unknown command is a usage error (exit 2), not oclif's default 1. */
const hook: Hook<'command_not_found'> = async function (options) {
  const typed = [options.id.replaceAll(':', ' '), ...(options.argv ?? [])].filter((s) => !s.startsWith('-')).join(' ')
  process.stderr.write(`Error: '${typed}' is not an atpctl command.\nTry this: Run \`atpctl --help\` to see the commands.\n`)
  process.exit(2)
}

export default hook
