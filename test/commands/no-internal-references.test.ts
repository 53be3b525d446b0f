import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {PROJECT_ROOT} from '../helpers/cli.js'

/**
 * Users have no SPEC: help texts must not cite its rule IDs (TP2, CM3, …) or the seed
 * documents. The IDs belong in code comments and tests. Reads the built manifest (npm run build).
 */
const INTERNAL = [/\b(?:T|TP|CM|DC|IN|DT)\d+\b/, /\bseeds? 00\d\b/i, /\bSPEC\b/]

function texts(): {where: string; text: string}[] {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {summary?: string; description?: string; examples?: (string | {description?: string; command?: string})[]; flags: Record<string, {summary?: string; description?: string}>; args: Record<string, {description?: string}>}>
  }
  const out: {where: string; text: string}[] = []
  for (const [id, c] of Object.entries(manifest.commands)) {
    if (c.summary) out.push({where: `${id} summary`, text: c.summary})
    if (c.description) out.push({where: `${id} description`, text: c.description})
    for (const e of c.examples ?? []) out.push({where: `${id} example`, text: typeof e === 'string' ? e : `${e.description ?? ''} ${e.command ?? ''}`})
    for (const [name, f] of Object.entries(c.flags)) out.push({where: `${id} --${name}`, text: `${f.summary ?? ''} ${f.description ?? ''}`})
    for (const [name, a] of Object.entries(c.args)) out.push({where: `${id} ${name}`, text: a.description ?? ''})
  }

  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {description: string; oclif: {description: string; topics: Record<string, {description: string}>}}
  out.push({where: 'package description', text: pkg.description}, {where: 'oclif description', text: pkg.oclif.description})
  for (const [topic, t] of Object.entries(pkg.oclif.topics)) out.push({where: `topic ${topic}`, text: t.description})
  return out
}

describe('no internal references in help texts', () => {
  it('scans something: every command and topic is read', () => {
    const all = texts()
    expect(all.some((t) => t.where === 'token:mint summary')).toBe(true)
    expect(all.some((t) => t.where === 'topic token')).toBe(true)
  })

  it('no summary, description, example, flag, argument or topic cites a rule ID or a seed', () => {
    const offenders = texts()
      .filter(({text}) => INTERNAL.some((re) => re.test(text)))
      .map(({where, text}) => `${where}: ${text}`)
    expect(offenders).toEqual([])
  })

  it('no message written in src/base, src/ui or src/hooks cites one (code comments may)', () => {
    const offenders: string[] = []
    for (const dir of ['src/base', 'src/ui', 'src/hooks']) {
      for (const file of readdirSync(join(PROJECT_ROOT, dir), {recursive: true}) as string[]) {
        if (!file.endsWith('.ts')) continue
        const lines = readFileSync(join(PROJECT_ROOT, dir, file), 'utf8').split('\n')
        for (const [i, line] of lines.entries()) {
          const code = line.trim()
          if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) continue
          const withoutComment = code.replace(/\s\/\/ .*$/, '')
          if (INTERNAL.some((re) => re.test(withoutComment))) offenders.push(`${dir}/${file}:${i + 1}: ${code}`)
        }
      }
    }

    expect(offenders).toEqual([])
  })

  it('the patterns catch what they are for', () => {
    for (const text of ['Give the token to the sensors (TP2).', 'needs an any-OS policy, CM3', 'see seed 001', '(CM2, CM8)']) {
      expect(INTERNAL.some((re) => re.test(text))).toBe(true)
    }

    for (const text of ['HTTP2 and TLS1.3', 'Windows 10 1607+', 'IPv4']) expect(INTERNAL.some((re) => re.test(text))).toBe(false)
  })
})
