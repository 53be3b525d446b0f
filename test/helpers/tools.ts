/**
 * External tools that some tests use to check atpctl's output independently of atpctl's own
 * code (unzip -t on our zips, xmllint on our XML, openssl on our certificates and signatures,
 * sqlite3 on the tenant database, python3's zipfile/plistlib/csv, headless chromium on the HTML
 * reports; bash and jq run the README's examples and the completion script). None of them is needed to
 * build or run atpctl, and a fresh machine with Node alone may lack every one.
 *
 * `requireTool(...)` is the one switch every such test goes through:
 * - all tools on PATH: the tests run;
 * - a tool missing: the tests are skipped (jest counts them as skipped) and one notice naming
 *   the tool and its Debian package is printed for the file;
 * - a tool missing under CI (`CI` set) or `ATPCTL_REQUIRE_TOOLS=1`: the tests still run and fail
 *   with that same message, so CI never silently skips a check.
 */
import {accessSync, constants, statSync} from 'node:fs'
import {delimiter, join} from 'node:path'

/** Each tool the tests use and the Debian package that installs it. */
export const TOOL_PACKAGES = {
  bash: 'bash',
  chromium: 'chromium',
  jq: 'jq',
  openssl: 'openssl',
  python3: 'python3',
  sqlite3: 'sqlite3',
  unzip: 'unzip',
  xmllint: 'libxml2-utils',
} as const

export type Tool = keyof typeof TOOL_PACKAGES

/** The parts of jest's `it` and `describe` the tool-checked tests use. */
type TestFn = Pick<jest.It, 'each'> & ((name: string, fn: jest.ProvidesCallback, timeout?: number) => void)
type DescribeFn = Pick<jest.Describe, 'each'> & ((name: string, fn: () => void) => void)

export interface ToolGate {
  /** True when every tool is on PATH. */
  available: boolean
  /** The tools that are not on PATH. */
  missing: Tool[]
  /** `it` when the tools are there; otherwise skipped (or, when required, failing). */
  it: TestFn
  /** `describe` when the tools are there; otherwise skipped (or, when required, one failing test). */
  describe: DescribeFn
}

/** True when CI must run every tool-checked test: `CI` set (not "false"/"0") or `ATPCTL_REQUIRE_TOOLS=1`. */
export function toolsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.ATPCTL_REQUIRE_TOOLS !== undefined && env.ATPCTL_REQUIRE_TOOLS !== '') return env.ATPCTL_REQUIRE_TOOLS !== '0'
  const ci = env.CI
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

/** Looks `name` up on PATH as the shell would, without running it. */
export function onPath(name: string, path: string = process.env.PATH ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return true
    } catch {
      // not here
    }
  }

  return false
}

/** The message a skipped or failing tool-checked test gives: what is missing and how to get it. */
export function missingToolsMessage(missing: readonly Tool[]): string {
  const packages = [...new Set(missing.map((tool) => TOOL_PACKAGES[tool]))].join(' ')
  return `${missing.join(', ')} not found on PATH (Debian/Ubuntu: apt-get install ${packages})`
}

const noticed = new Set<string>()

/** Gate for tests that spawn `tools`; see the file header. */
export function requireTool(...tools: Tool[]): ToolGate {
  const missing = tools.filter((tool) => !onPath(tool))
  if (missing.length === 0) return {available: true, describe, it, missing}

  const message = missingToolsMessage(missing)
  if (toolsRequired()) {
    const fail = () => {
      throw new Error(`${message}; CI and ATPCTL_REQUIRE_TOOLS=1 run every tool-checked test`)
    }

    // Each test is still declared (so it is counted) and fails with the message instead of
    // an ENOENT from deep inside it.
    const failing = Object.assign((name: string) => it(name, fail), {
      each: (table: readonly unknown[]) => (name: string) => it.each(table as unknown[][])(name, fail),
    }) as unknown as TestFn
    const failingDescribe = Object.assign((name: string) => describe(name, () => it('has its tools', fail)), {
      each: (table: readonly unknown[]) => (name: string) => describe.each(table as unknown[][])(name, () => it('has its tools', fail)),
    }) as unknown as DescribeFn
    return {available: false, describe: failingDescribe, it: failing, missing}
  }

  if (!noticed.has(message)) {
    noticed.add(message)
    process.stderr.write(`notice: skipping the tests that need ${message}\n`)
  }

  return {available: false, describe: describe.skip, it: it.skip, missing}
}
