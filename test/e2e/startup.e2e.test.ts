import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'

describe('startup', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)

  it('--version prints oclif\'s format: bin/version platform-arch node-version', async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'))
    const result = await runCli(['--version'], {home})
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`atpctl/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
  })

  it('--help lists the topics and exits 0', async () => {
    const result = await runCli(['--help'], {home})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('TOPICS')
    expect(result.stdout).toContain('integration')
  })

  it('no command statically imports a heavy package (they load lazily, on the paths that need them)', () => {
    const heavy = ['archiver', 'yauzl', '@inquirer/prompts', 'ora', 'conf', 'fastify', '@fastify/rate-limit']
    const offenders: string[] = []
    const seen = new Set<string>()
    const visit = (file: string, from: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const source = readFileSync(file, 'utf8')
      for (const match of source.matchAll(/^(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = match[1]
        if (spec.startsWith('.')) visit(join(dirname(file), spec), from)
        else if (heavy.some((h) => spec === h || spec.startsWith(`${h}/`))) offenders.push(`${from} -> ${file} imports ${spec}`)
      }
    }

    const commandsDir = join(PROJECT_ROOT, 'dist', 'commands')
    for (const file of readdirSync(commandsDir, {recursive: true}) as string[]) {
      if (file.endsWith('.js')) visit(join(commandsDir, file), file)
    }

    expect(seen.size).toBeGreaterThan(10)
    expect(offenders).toEqual([])
  })
})

describe('colour', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)

  it('FORCE_COLOR colours output; NO_COLOR wins over it; pipes get none by default', async () => {
    await runCli(['init', '--location', 'us'], {home})
    await runCli(['integration', 'enable', 'third-party', '--provider', 'ziften'], {home})
    const esc = '\u001B['
    const forced = await runCli(['integration', 'list'], {home, env: {NO_COLOR: undefined, FORCE_COLOR: '1'}})
    expect(forced.stdout).toContain(esc)
    const both = await runCli(['integration', 'list'], {home, env: {NO_COLOR: '1', FORCE_COLOR: '1'}})
    expect(both.stdout).not.toContain(esc)
    const piped = await runCli(['integration', 'list'], {home, env: {NO_COLOR: undefined}})
    expect(piped.stdout).not.toContain(esc)
    expect(piped.stdout).toMatch(/ziften\s+on/)
  })
})

describe('command contract (SPEC §3)', () => {
  it('every command has a summary, --json, and 2+ examples including a --json one (serve, long-running, excepted)', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, {summary?: string; examples?: (string | {command: string})[]; flags: Record<string, unknown>}>
    }
    const problems: string[] = []
    for (const [id, command] of Object.entries(manifest.commands)) {
      const examples = (command.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command))
      if (!command.summary) problems.push(`${id}: no summary`)
      if (!command.flags.json) problems.push(`${id}: no --json`)
      if (examples.length < 2) problems.push(`${id}: ${examples.length} example(s)`)
      if (id !== 'serve' && !examples.some((e) => e.includes('--json'))) problems.push(`${id}: no --json example`)
    }

    expect(Object.keys(manifest.commands).length).toBeGreaterThan(50)
    expect(problems).toEqual([])
  })
})
