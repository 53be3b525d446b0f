/**
 * The tool gate of the tool-checked tests (test/helpers/tools.ts), and a guard that keeps every
 * test that spawns one of those tools behind it.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {missingToolsMessage, onPath, TOOL_PACKAGES, toolsRequired, type Tool} from './tools.js'

const TEST_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const PROJECT_ROOT = join(TEST_ROOT, '..')

describe('requireTool: when a missing tool skips and when it fails', () => {
  it.each([
    [{}, false],
    [{CI: 'true'}, true],
    [{CI: '1'}, true],
    [{CI: 'false'}, false],
    [{CI: '0'}, false],
    [{CI: ''}, false],
    [{ATPCTL_REQUIRE_TOOLS: '1'}, true],
    [{ATPCTL_REQUIRE_TOOLS: '0', CI: 'true'}, false],
  ])('env %j → required %s', (env, required) => {
    expect(toolsRequired(env as NodeJS.ProcessEnv)).toBe(required)
  })

  it('finds an executable file on PATH, not a directory or a file without the x bit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atpctl-tools-'))
    try {
      const bin = join(dir, 'bin')
      mkdirSync(bin)
      writeFileSync(join(bin, 'runme'), '#!/bin/sh\n')
      chmodSync(join(bin, 'runme'), 0o755)
      writeFileSync(join(bin, 'plain'), 'x')
      chmodSync(join(bin, 'plain'), 0o644)
      mkdirSync(join(bin, 'adir'))
      symlinkSync(join(bin, 'runme'), join(bin, 'linked'))
      const path = ['', join(dir, 'nowhere'), bin].join(delimiter)
      expect(onPath('runme', path)).toBe(true)
      expect(onPath('linked', path)).toBe(true)
      expect(onPath('plain', path)).toBe(false)
      expect(onPath('adir', path)).toBe(false)
      expect(onPath('runme', join(dir, 'nowhere'))).toBe(false)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('names the Debian package of each missing tool, once', () => {
    expect(missingToolsMessage(['xmllint'])).toBe('xmllint not found on PATH (Debian/Ubuntu: apt-get install libxml2-utils)')
    expect(missingToolsMessage(['unzip', 'python3'])).toBe('unzip, python3 not found on PATH (Debian/Ubuntu: apt-get install unzip python3)')
  })
})

function testFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return testFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

describe('every test that spawns an external tool goes through requireTool', () => {
  const tools = Object.keys(TOOL_PACKAGES) as Tool[]
  // A direct spawn of a tool (execFileSync('xmllint', …), spawnSync("openssl", …), …), or a call
  // of a test helper that spawns one (pyZip runs python3).
  const pattern = `(?:execFileSync|spawnSync|execFile|spawn|execSync|exec)\\(\\s*['"\`](${tools.join('|')})\\b`
  const spawns = new RegExp(pattern, 'g')
  const helpers: Record<string, Tool> = {pyZip: 'python3'}

  it('finds the known tool-checked files (the scan itself works)', () => {
    const found = testFiles(TEST_ROOT).filter((file) => new RegExp(pattern).test(readFileSync(file, 'utf8')))
    expect(found.map((file) => relative(TEST_ROOT, file))).toEqual(expect.arrayContaining(['e2e/detect.e2e.test.ts', 'core/package/zip-tools.ts', 'lib/x509.test.ts']))
  })

  it.each(testFiles(TEST_ROOT).filter((file) => file.endsWith('.test.ts') && !file.endsWith('tools.test.ts')).map((file) => [relative(TEST_ROOT, file)]))(
    '%s',
    (file) => {
      expect(ungatedSpawns(readFileSync(join(TEST_ROOT, file), 'utf8'), pattern, helpers)).toEqual([])
    },
  )

  it('the check sees a tool spawn in a plain test even when the file has a gate for that tool', () => {
    const source = [
      "const withPython = requireTool('python3')",
      "describe('x', () => {",
      "  withPython.it('gated', () => {",
      "    execFileSync('python3', ['-c', ''])",
      '  })',
      "  it('plain', () => {",
      "    execFileSync('python3', ['-c', ''])",
      '  })',
      '})',
      "withPython.describe('gated block', () => {",
      "  it('inner', () => {",
      "    pyZip('a.zip', [])",
      '  })',
      '})',
    ].join('\n')
    expect(ungatedSpawns(source, pattern, helpers)).toEqual(["line 7: python3 in it('plain'"])
  })
})

/**
 * The tool spawns of a test file that no gate covers: for each line that spawns a tool (or calls
 * a helper that does), the test blocks around it (by indentation) must include one declared
 * through a requireTool gate naming that tool. A spawn outside any test block (a helper function
 * of the file) needs a gate for the tool somewhere in the file.
 */
function ungatedSpawns(source: string, pattern: string, helpers: Record<string, Tool>): string[] {
  const gates = new Map<string, Set<string>>()
  for (const m of source.matchAll(/const (\w+) = requireTool\(([^)]*)\)/g)) gates.set(m[1], new Set([...m[2].matchAll(/'(\w+)'/g)].map((t) => t[1])))
  const inFile = new Set([...gates.values()].flatMap((tools) => [...tools]))
  const lines = source.split('\n')
  const indent = (line: string) => line.length - line.trimStart().length
  const opener = /^\s*(?:(\w+)\.)?(it|test|describe)(?:\.each\([\s\S]*?\))?\(\s*(['"`][^'"`]*)/
  const problems: string[] = []
  lines.forEach((line, index) => {
    const used = [...line.matchAll(new RegExp(pattern, 'g'))].map((m) => m[1])
    for (const [helper, tool] of Object.entries(helpers)) if (new RegExp(`\\b${helper}\\(`).test(line) && !line.includes('function ')) used.push(tool)
    for (const tool of used) {
      const blocks: {gate?: string; title: string}[] = []
      let level = indent(line)
      for (let i = index - 1; i >= 0 && level > 0; i--) {
        if (lines[i].trim() === '' || indent(lines[i]) >= level) continue
        // `])('name', …) => {` closes a multi-line .each table: its block opens further up, at this indent.
        if (/^[\])]/.test(lines[i].trimStart())) {
          level = indent(lines[i]) + 1
          continue
        }

        level = indent(lines[i])
        const m = opener.exec(lines[i]) ?? /^\s*(?:(\w+)\.)?(it|test|describe)\.each\(()/.exec(lines[i])
        if (m) blocks.push({gate: m[1], title: `${m[1] ? `${m[1]}.` : ''}${m[2]}(${m[3]}'`})
      }

      const gated = blocks.length === 0 ? inFile.has(tool) : blocks.some((b) => b.gate !== undefined && gates.get(b.gate)?.has(tool))
      if (!gated) problems.push(`line ${index + 1}: ${tool} in ${blocks[0]?.title ?? 'the file, with no gate for it'}`)
    }
  })
  return problems
}

// The tools' absence is made real: PATH holds node, npm and the shell npm runs scripts with.
describe('without the tools, a tool-checked test file skips cleanly (PATH of node, npm and sh alone)', () => {
  it('npm run test:only on report.test.ts: its xmllint tests are skipped with the notice; with ATPCTL_REQUIRE_TOOLS=1 the file fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atpctl-nopath-'))
    try {
      symlinkSync(process.execPath, join(dir, 'node'))
      symlinkSync(realpathSync(npmCli()), join(dir, 'npm'))
      symlinkSync('/bin/sh', join(dir, 'sh'))
      // npm's cache and logs go to the temp dir, not the real home; no update check (no network).
      const env: NodeJS.ProcessEnv = {PATH: dir, HOME: join(dir, 'home'), npm_config_cache: join(dir, 'npm-cache'), npm_config_update_notifier: 'false', FORCE_COLOR: '0', TMPDIR: tmpdir()}
      const run = (extra: NodeJS.ProcessEnv) => {
        const r = spawnSync(join(dir, 'npm'), ['run', '--silent', 'test:only', '--', '--ci', '--runInBand', 'test/core/detect/report.test.ts'], {
          cwd: PROJECT_ROOT,
          env: {...env, ...extra},
          encoding: 'utf8',
        })
        return {status: r.status, out: `${r.stdout}${r.stderr}`}
      }

      const skipped = run({})
      expect(skipped.out).toContain('notice: skipping the tests that need xmllint not found on PATH (Debian/Ubuntu: apt-get install libxml2-utils)')
      expect(skipped.out).toMatch(/^0 passed, 0 failed, 4 skipped$/m)
      expect(skipped.out).not.toContain('ENOENT')
      expect(skipped.status).toBe(0)

      const required = run({ATPCTL_REQUIRE_TOOLS: '1'})
      expect(required.out).toMatch(/^0 passed, 1 failed$/m)
      expect(required.out).toContain('CI and ATPCTL_REQUIRE_TOOLS=1 run every tool-checked test')
      expect(required.status).not.toBe(0)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

/** npm's own entry script, found beside the node that runs the tests (as npm installs itself). */
function npmCli(): string {
  const candidates = [
    process.env.npm_execpath,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ].filter((p): p is string => p !== undefined && p.endsWith('npm-cli.js'))
  const found = candidates.find((p) => existsSync(p))
  if (found === undefined) throw new Error(`npm-cli.js not found (looked at ${candidates.join(', ')})`)
  return found
}
