/**
 * What the tenant-as-code commands share (issue 14): reading `-f FILE` (or `-` for stdin),
 * telling the plan about the file's secret references without handing it a secret, and writing
 * their outputs atomically. Core never reads a file or the environment; this layer does.
 */
import {Flags} from '@oclif/core'
import {accessSync, constants, existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, isAbsolute, resolve} from 'node:path'
import {InvalidInputError, NotFoundError, UsageError} from '../core/errors.js'
import {verifiedConfigFile} from '../core/policy/service.js'
import type {Backend} from '../core/port/types.js'
import type {SecretReference} from '../core/tenant-file/document.js'
import {type ParsedTenantFile, parseTenantFile} from '../core/tenant-file/parse.js'
import {computePlan, type SecretFacts} from '../core/tenant-file/plan.js'
import type {SetupPlan} from '../core/tenant-file/plan-types.js'
import {checkSecretTarget} from '../lib/secret-file.js'
import {readStdin} from '../lib/secret-input.js'
import {writeFileAtomic} from '../lib/zip-writer.js'

/** `-f FILE` of plan, validate and apply. */
export const fileFlag = Flags.string({char: 'f', description: 'The atpctl.yaml to compare with the tenant, or - for stdin.', required: true})

/** `--prune` of plan, validate and apply. */
export const pruneFlag = Flags.boolean({description: 'Delete what the file does not name (of the kinds whose section it has) instead of listing it as unmanaged.', default: false})

/** The largest atpctl.yaml read (a file with thousands of resources is well under it). */
const MAX_FILE_BYTES = 32 * 1024 * 1024

/** Reads and parses `-f FILE` (`-`: stdin). A missing file is exit 3, a bad one exit 7 with every problem's line and column. */
export async function loadTenantFile(file: string): Promise<ParsedTenantFile> {
  let text: string
  if (file === '-') {
    text = await readStdin()
  } else {
    if (!existsSync(file)) throw new NotFoundError(`The file '${file}' does not exist.`, {suggestions: ['Write one with: atpctl export --out atpctl.yaml']})
    const stat = statSync(file)
    if (stat.isDirectory()) throw new UsageError(`-f '${file}' is a folder; it takes a file.`, {suggestions: [`Pass the YAML file inside it, e.g. -f ${file.replace(/\/+$/, '')}/atpctl.yaml`]})
    if (stat.size > MAX_FILE_BYTES) throw new InvalidInputError(`'${file}' is ${stat.size} bytes; an atpctl.yaml is at most ${MAX_FILE_BYTES}.`)
    text = readFileSync(file, 'utf8')
  }

  return parseTenantFile(text.replace(/^\uFEFF/, ''), file)
}

/** Where a reference's file is: relative paths from the YAML file's folder (stdin: the current folder). */
function referencedPath(ref: SecretReference, yamlFile: string, env: NodeJS.ProcessEnv): string | undefined {
  const path = 'file' in ref ? ref.file : env[ref.env]
  if (!path) return undefined
  if (isAbsolute(path)) return path
  return resolve(yamlFile === '-' ? process.cwd() : dirname(resolve(yamlFile)), path)
}

/**
 * The plan's view of the secret references: a configuration file is read here and checked as
 * `policy create` checks it (so the plan compares its SHA-256 and predicts a file of another
 * tenant or an expired one); the Workspace key is only tested for being there.
 */
export function secretFacts(backend: Backend, yamlFile: string, env: NodeJS.ProcessEnv = process.env): SecretFacts {
  return {
    async configFile(ref, expected) {
      const path = referencedPath(ref, yamlFile, env)
      if (!path) throw new NotFoundError(`is named by $${'env' in ref ? ref.env : ''}, which is not set.`, {suggestions: ['Set it to the path of the configuration file.']})
      if (!existsSync(path)) throw new NotFoundError(`'${path}' does not exist.`, {suggestions: ['Put the onboarding or offboarding package there, or change the reference.']})
      const tenant = await backend.tenant.get()
      if (!tenant) throw new NotFoundError('cannot be checked before the tenant exists.')
      return verifiedConfigFile(path, expected.type, tenant)
    },
    async available(ref) {
      if ('env' in ref) return Boolean(env[ref.env]?.trim())
      const path = referencedPath(ref, yamlFile, env)
      try {
        accessSync(path!, constants.R_OK)
        return true
      } catch {
        return false
      }
    },
  }
}

/** The plan of a parsed file against the profile's backend, as plan, validate and apply make it. */
export function planTenantFile(backend: Backend, parsed: ParsedTenantFile, options: {file: string; prune: boolean; profile: string}): Promise<SetupPlan> {
  return computePlan(backend, parsed.document, {
    prune: options.prune,
    file: options.file,
    profile: options.profile,
    positionOf: parsed.positionOf,
    now: () => new Date(),
    secrets: secretFacts(backend, options.file),
  })
}

/** Writes an output file (`--out`) atomically: refused when it exists unless `force`. */
export async function writeOutput(path: string, content: string, options: {force: boolean; mode?: number}): Promise<void> {
  checkSecretTarget(path, options)
  try {
    await writeFileAtomic(path, content, options.mode ?? 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`Cannot write --out '${path}' (${code ?? (error as Error).message}).`, {suggestions: ['Pass --out a file in a folder you can write to.']})
  }
}
