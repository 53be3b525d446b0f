import {Command, Errors, type Interfaces} from '@oclif/core'
import {statSync} from 'node:fs'
import {userInfo} from 'node:os'
import {openBackend} from '../backends/resolve.js'
import type {Backend} from '../backends/types.js'
import {UsageError} from '../core/errors.js'
import {type AtpctlConfig, checkProfileName, DEFAULT_PROFILE, findProfile, type ProfileConfig} from '../core/profile.js'
import {readConfig} from '../lib/config.js'
import {writeJson} from '../lib/json-writer.js'
import {atpctlHome} from '../lib/paths.js'
import {inquirerPrompter, type Prompter} from '../ui/prompt.js'
import {createSpinner, type Spinner} from '../ui/spinner.js'
import {configureColour} from '../ui/style.js'
import {type ErrorReport, toErrorReport} from './errors.js'
import {ExitCode} from './exit-codes.js'
import {globalFlags} from './flags.js'
import {computeIo, type IoContext} from './io.js'

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
  private backendPromise?: Promise<Backend>
  private configCache?: AtpctlConfig

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.constructor as typeof AdminCommand
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
    this.home = checkHome(atpctlHome(process.env))
    this.profileName = checkProfileName((flags.profile as string | undefined) ?? this.config_().currentProfile ?? DEFAULT_PROFILE)
  }

  /** The stored configuration (profiles), read once. */
  protected config_(): AtpctlConfig {
    this.configCache ??= readConfig(this.home ?? atpctlHome(process.env))
    return this.configCache
  }

  /** The active profile's settings; the default profile exists implicitly. */
  protected profile(): ProfileConfig {
    return findProfile(this.config_(), this.profileName, {allowNew: this.createsProfile})
  }

  /** The backend of the active profile, opened once. Commands never construct one. */
  protected backend(): Promise<Backend> {
    this.backendPromise ??= openBackend({
      home: this.home,
      profileName: this.profileName,
      profile: this.profile(),
      actor: `${this.profileName}:${safeUsername()}`,
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

  /** Decoration and hints: stderr, and only for humans. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(message + '\n')
  }

  /** The --json document, pretty-printed; long lists go out an item at a time (never one huge string). */
  override logJson(json: unknown): void {
    writeJson(json, (chunk) => process.stdout.write(chunk))
  }

  override toErrorJson(err: unknown): {error: Omit<ErrorReport, never>} {
    return {error: toErrorReport(err)}
  }

  override async catch(err: Error & {oclif?: {exit?: number}; code?: string}): Promise<never> {
    if (err instanceof Errors.ExitError || err?.code === 'EEXIT') throw err
    const report = toErrorReport(err)
    if (this.jsonEnabled()) {
      this.logJson({error: report})
    } else if (report.exitCode === ExitCode.cancelled) {
      process.stderr.write('Cancelled.\n')
    } else {
      const lines = [`Error: ${report.message}`]
      if (report.suggestions.length > 0) lines.push(...report.suggestions.map((s) => `Try this: ${s}`))
      process.stderr.write(lines.join('\n') + '\n')
    }

    if ((process.env.ATPCTL_DEBUG || process.env.DEBUG) && err?.stack) process.stderr.write(err.stack + '\n')
    this.exit(report.exitCode)
  }

  override async finally(err: Error | undefined): Promise<void> {
    if (this.backendPromise) {
      await this.backendPromise.then((b) => b.close()).catch(() => {})
    }

    await super.finally(err)
  }

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
