import {execFileSync} from 'node:child_process'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'

/**
 * Every command, every integer or fixed-choice flag, a value the flag refuses: a usage error
 * (exit 2) naming the flag, never exit 1 ("unexpected … report it as an issue"). The list is
 * generated from the built CLI (oclif's manifest and the command classes it names), so a new
 * command or flag is covered without touching this file.
 */
interface Case {
  argv: string[]
  flag: string
}

function generateCases(): Case[] {
  // Plain node, outside jest's module registry: Flags.integer's parser is one shared function.
  const script = `
    import {Config, Flags} from '@oclif/core'
    const config = await Config.load(${JSON.stringify(PROJECT_ROOT)})
    const integerParse = Flags.integer().parse
    const cases = []
    for (const entry of config.commands) {
      const command = await entry.load()
      const args = []
      for (const arg of Object.values(command.args ?? {})) {
        if (arg.required) args.push(arg.options?.[0] ?? 'x')
      }
      const words = entry.id.split(':')
      for (const [name, flag] of Object.entries(command.flags ?? {})) {
        if (flag.type !== 'option') continue
        const bad = []
        if (flag.options) bad.push('no-such-choice')
        if (flag.parse === integerParse) {
          bad.push('abc', '1.5')
          if (flag.min !== undefined) bad.push(String(flag.min - 1))
          if (flag.max !== undefined) bad.push(String(flag.max + 1))
        }
        for (const value of bad) cases.push({argv: [...words, ...args, '--' + name, value], flag: '--' + name})
      }
    }
    process.stdout.write(JSON.stringify(cases))
  `
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {cwd: PROJECT_ROOT, encoding: 'utf8'})) as Case[]
}

async function inPool<T, R>(items: T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  let next = 0
  await Promise.all(
    Array.from({length: width}, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await run(items[i])
      }
    }),
  )
  return results
}

describe('bad flag values are usage errors (exit 2) on every command', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)
  const cases = generateCases()

  it('finds the integer and choice flags of the CLI', () => {
    const flags = new Set(cases.map((c) => `${c.argv[0]} ${c.flag}`))
    // The ones the issue named, so the generator cannot quietly find nothing.
    for (const known of ['alert --limit', 'device --limit', 'package --valid-days', 'serve --port', 'device --family']) expect(flags).toContain(known)
    expect(cases.length).toBeGreaterThan(40)
  })

  it('exits 2 with an Error: line naming the flag, for each bad value', async () => {
    const results = await inPool(cases, 2, async (c) => {
      const result = await runCli(c.argv, {home})
      return {argv: c.argv.join(' '), code: result.code, namesFlag: result.stderr.includes(c.flag), error: /^Error: /.test(result.stderr), unexpected: result.stderr.includes('Unexpected')}
    })
    const wrong = results.filter((r) => r.code !== 2 || !r.namesFlag || !r.error || r.unexpected)
    expect(wrong).toEqual([])
  }, 600_000)
})
