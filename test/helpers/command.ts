import {captureOutput} from '@oclif/test'
import {PROJECT_ROOT} from './cli.js'

type CommandClass = {run(argv?: string[], opts?: unknown): Promise<unknown>; prototype: {run(): Promise<unknown>}}
type ResultOf<C extends CommandClass> = Awaited<ReturnType<C['prototype']['run']>>

/**
 * Runs a command class from src (no build needed) and captures its output, typed by what the
 * command's run() returns, i.e. its --json document.
 */
export function runCommand<C extends CommandClass>(command: C, argv: string[]) {
  return captureOutput<ResultOf<C>>(() => command.run(argv, PROJECT_ROOT))
}
