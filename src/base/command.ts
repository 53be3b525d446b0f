import {Command, Errors, type Interfaces} from '@oclif/core'
import {statSync} from 'node:fs'
import {userInfo} from 'node:os'
import {format} from 'node:util'
import {openBackend} from '../backends/resolve.js'
import type {Backend} from '../core/port/types.js'
import {UsageError} from '../core/errors.js'
import {applyEnvironment, type AtpctlConfig, checkProfileName, DEFAULT_PROFILE, type EffectiveProfile, findProfile} from '../core/profile.js'
import {readConfig} from '../lib/config.js'
import type {PagedList} from '../core/port/page.js'
import {hasAsyncList, jsonChunks, jsonChunksAsync} from '../lib/json-writer.js'
import {atpctlHome} from '../lib/paths.js'
import {inquirerPrompter, type Prompter} from '../ui/prompt.js'
import {createSpinner, type Spinner} from '../ui/spinner.js'
import {configureColour} from '../ui/style.js'
import {moreFooter, setTableWidth} from '../ui/table.js'
import {terminalSafe} from '../ui/terminal-text.js'
import {type ErrorReport, toErrorReport} from './errors.js'
import {ExitCode} from './exit-codes.js'
import {expandOptionalValues, globalFlags} from './flags.js'
import {computeIo, type IoContext, writeOut, writeOutAsync} from './io.js'

/**
 * The base of every atpctl command. It owns --json (our envelope, exit codes kept: oclif 4
 * loses them under --json), --profile, the IO context (TTY, CI, colour), prompting (only on a
 * terminal), confirmations, spinners, the backend, and mapping errors to SPEC §3 exit codes.
 */
export abstract class AdminCommand<T> extends Command {
  static override baseFlags = globalFlags
  static override enableJsonFlag = true

  /** Tests may swap the prompter; nothing else should. */
  static prompter: Prompter = inquirerPrompter

  /** init and quickstart create the profile they are given; other commands require it to exist. */
  protected createsProfile = false
  protected io!: IoContext
  protected home!: string
  protected profileName!: string
  /** --verbose: the microsoft backend logs each request on stderr. */
  protected verbose = false
  private backendPromise?: Promise<Backend>
  /** stdout, written in order and with back-pressure; awaited before the command ends. */
  private stdoutQueue: Promise<void> = Promise.resolve()
  private stdoutBusy = false
  /** A failure while a --json list was being written page by page (after run() returned). */
  private streamError: unknown
  private configCache?: AtpctlConfig

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.constructor as typeof AdminCommand
    // `--wait` alone means the default wait (issue 11 item 5); oclif needs the value spelt out.
    this.argv = expandOptionalValues(this.argv, ctor.flags)
    const {flags} = await this.parse({
      args: ctor.args,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      flags: ctor.flags,
      strict: ctor.strict,
    } as Interfaces.Input<Record<string, unknown>, Record<string, unknown>, Record<string, unknown>>)
    const json = this.jsonEnabled()
    const colour = configureColour(process.env, Boolean(process.stdout.isTTY))
    this.io = computeIo({json, noInputFlag: Boolean(flags['no-input']), env: process.env, colour})
    // Tables fit a terminal; piped, they keep every character.
    setTableWidth(process.stdout.isTTY ? process.stdout.columns : undefined)
    this.home = checkHome(atpctlHome(process.env))
    this.profileName = checkProfileName((flags.profile as string | undefined) ?? this.config_().currentProfile ?? DEFAULT_PROFILE)
    this.verbose = Boolean(flags.verbose)
  }

  /** The stored configuration (profiles), read once. */
  protected config_(): AtpctlConfig {
    this.configCache ??= readConfig(this.home ?? atpctlHome(process.env))
    return this.configCache
  }

  /**
   * The active profile's settings as the ATPCTL_* variables amend them (flag > env > profile);
   * the default profile exists implicitly.
   */
  protected profile(): EffectiveProfile {
    return applyEnvironment(findProfile(this.config_(), this.profileName, {allowNew: this.createsProfile}), process.env)
  }

  /** The backend of the active profile, opened once. Commands never construct one. */
  protected backend(): Promise<Backend> {
    this.backendPromise ??= openBackend({
      home: this.home,
      profileName: this.profileName,
      profile: this.profile(),
      actor: `${this.profileName}:${safeUsername()}`,
      verbose: this.verbose,
      interactive: this.io.canPrompt,
    })
    return this.backendPromise
  }

  protected get prompter(): Prompter {
    return (this.constructor as typeof AdminCommand).prompter
  }

  /**
   * Asks before a destructive step. `--yes` answers; without a terminal the command fails
   * with exit 2 naming --yes; "no" cancels with exit 130.
   */
  protected async confirm(message: string, options: {yes: boolean; what: string}): Promise<void> {
    if (options.yes) return
    if (!this.io.canPrompt) {
      throw new UsageError(`Confirmation needed to ${options.what}, and there is no terminal to ask on.`, {
        suggestions: [`Pass --yes to ${options.what} without a prompt.`],
      })
    }

    if (!(await this.prompter.confirm(message, false))) {
      throw Object.assign(new Error('Cancelled.'), {name: 'ExitPromptError'})
    }
  }

  /** Fails with exit 2 naming the flag when a value is missing and we cannot ask for it. */
  protected requireInteractive(flag: string, what: string): void {
    if (!this.io.canPrompt) {
      throw new UsageError(`Missing ${what}.`, {suggestions: [`Pass ${flag} (prompts appear only on an interactive terminal).`]})
    }
  }

  protected spinner(text: string): Promise<Spinner> {
    return createSpinner(text, !this.io?.json && Boolean(process.stderr.isTTY))
  }

  /**
   * The human rendering of a result, on stdout. It is rendered only when it will be shown:
   * with --json it is skipped, which matters for listings that grow with the inventory.
   */
  protected present(render: () => string): void {
    if (!this.jsonEnabled()) this.log(render())
  }

  /**
   * A listing (issue 11 item 6). Under --json nothing happens here: the returned document holds
   * the list as pages still to come, and logJson writes it item by item as they arrive, in
   * bounded memory. For humans the rows (at most --limit, DEFAULT_LIMIT without it) are
   * collected and rendered, and a notice on stderr says when more exist.
   */
  protected async presentPaged<I>(list: PagedList<I>, render: (rows: I[]) => string, options: {what?: string; reverse?: boolean} = {}): Promise<void> {
    if (this.jsonEnabled()) return
    const rows = await list.toArray()
    if (options.reverse) rows.reverse()
    this.log(render(rows))
    if (list.more) this.note(moreFooter({shown: rows.length, more: true, what: options.what}))
  }

  /**
   * Every human line on stdout: control and bidi-override characters escaped (src/ui
   * terminal-text), written after what came before and with back-pressure (a table of a
   * million rows to a slow pipe).
   */
  override log(message = '', ...args: unknown[]): void {
    if (this.jsonEnabled()) return
    const text = terminalSafe(args.length > 0 ? format(message, ...args) : message, {colour: this.io?.colour})
    this.queueStdout([text, '\n'])
  }

  /** Decoration and hints: stderr, and only for humans (escaped like every human line). */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(terminalSafe(message, {colour: this.io?.colour}) + '\n')
  }

  /** The --json document, pretty-printed; long lists go out an item at a time, as the pipe takes them. */
  override logJson(json: unknown): void {
    if (hasAsyncList(json)) {
      // A list still arriving page by page: written as the pages come, after what is queued.
      this.trackStdout(this.stdoutQueue.then(() => writeOutAsync(process.stdout, jsonChunksAsync(json))))
      return
    }

    this.queueStdout(jsonChunks(json))
  }

  /** Pieces for stdout, written after what is already queued, each once the pipe takes it. */
  protected queueStdout(pieces: Iterable<string>): void {
    if (this.stdoutBusy) {
      this.trackStdout(this.stdoutQueue.then(() => writeOut(process.stdout, pieces)))
      return
    }

    // Nothing waiting: written now (in order with stderr), until the pipe is full.
    const rest = writeOut(process.stdout, pieces)
    if (rest) this.trackStdout(rest)
  }

  private trackStdout(write: Promise<void>): void {
    this.stdoutBusy = true
    const queue: Promise<void> = write
      .catch((error: unknown) => {
        this.streamError ??= error
      })
      .finally(() => {
        if (this.stdoutQueue === queue) this.stdoutBusy = false
      })
    this.stdoutQueue = queue
  }

  /** What is queued for stdout, written; before an exit and at the end of every command. */
  protected async flushStdout(): Promise<void> {
    await this.stdoutQueue
  }

  protected override async _run<R>(): Promise<R> {
    try {
      const result = await super._run<R>()
      // A --json list is written as its pages arrive, after run() returned: the backend stays
      // open until it is out, and a page that fails half-way is reported like any error.
      await this.flushStdout()
      if (this.streamError !== undefined) {
        const error = this.streamError
        this.streamError = undefined
        await this.catch(error as Error)
      }

      return result
    } finally {
      await this.flushStdout()
      if (this.backendPromise) {
        await this.backendPromise.then((b) => b.close()).catch(() => {})
      }
    }
  }

  override toErrorJson(err: unknown): {error: Omit<ErrorReport, never>} {
    return {error: toErrorReport(err)}
  }

  override async catch(err: Error & {oclif?: {exit?: number}; code?: string}): Promise<never> {
    // What the command printed goes out before the error and the exit (process.exit would cut it).
    await this.flushStdout()
    if (err instanceof Errors.ExitError || err?.code === 'EEXIT') throw err
    const report = toErrorReport(err)
    if (this.jsonEnabled()) {
      this.logJson({error: report})
      await this.flushStdout()
    } else if (report.exitCode === ExitCode.cancelled) {
      process.stderr.write('Cancelled.\n')
    } else {
      const lines = [`Error: ${report.message}`]
      if (report.suggestions.length > 0) lines.push(...report.suggestions.map((s) => `Try this: ${s}`))
      process.stderr.write(terminalSafe(lines.join('\n'), {colour: this.io?.colour}) + '\n')
    }

    if ((process.env.ATPCTL_DEBUG || process.env.DEBUG) && err?.stack) process.stderr.write(err.stack + '\n')
    this.exit(report.exitCode)
  }

  // The backend is closed by _run, once the output (a --json list still arriving) is written.

  abstract override run(): Promise<T>
}

/** The data folder must be a folder: ATPCTL_HOME naming a file is a usage error (exit 2), not ENOTDIR. */
function checkHome(home: string): string {
  let isFile = false
  try {
    isFile = !statSync(home).isDirectory()
  } catch {
    // Missing: created on first write.
  }

  if (isFile) {
    throw new UsageError(`The atpctl data folder '${home}' is a file, not a folder.`, {
      suggestions: [process.env.ATPCTL_HOME ? 'Point ATPCTL_HOME at a folder (it is created if missing), or unset it.' : 'Move that file away; atpctl creates the folder.'],
    })
  }

  return home
}

function safeUsername(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown'
  }
}
