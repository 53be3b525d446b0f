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

/** A --json document as it reaches stdout: lists that a command streams page by page (AsyncIterables) arrive as arrays. */
export type JsonDocument<T> = {[K in keyof T]: T[K] extends AsyncIterable<infer I> ? I[] : T[K]}

/**
 * Runs a list command with --json and parses its stdout: list commands write their lists as
 * the backend's pages arrive (issue 11 item 6), so the document is what was written, not the
 * object run() returned.
 */
export async function runJson<C extends CommandClass>(command: C, argv: string[]) {
  const output = await runCommand(command, argv)
  const result = output.error === undefined ? (JSON.parse(output.stdout) as JsonDocument<ResultOf<C>>) : undefined
  return {...output, result}
}
