import {mkdirSync, renameSync, writeFileSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

/**
 * A minimal JUnit XML writer (the "Ant" schema Jenkins, GitLab, GitHub and Azure Pipelines
 * read): one <testsuites> with <testsuite> elements, each <testcase> passed, failed
 * (<failure>), errored (<error>) or skipped (<skipped>).
 */
export interface JUnitCase {
  name: string
  classname: string
  timeSeconds: number
  failure?: {message: string; type: string; text?: string}
  error?: {message: string; type: string; text?: string}
  skipped?: string
  systemOut?: string
}

export interface JUnitSuite {
  name: string
  timestamp: string
  hostname?: string
  properties?: Record<string, string>
  cases: JUnitCase[]
}

/** Escapes text for XML 1.0, dropping characters XML cannot carry at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const attrs = (pairs: [string, string | number][]) => pairs.map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('')
const seconds = (s: number) => (Math.round(s * 1000) / 1000).toFixed(3)

function renderCase(c: JUnitCase): string {
  const open = `    <testcase${attrs([['name', c.name], ['classname', c.classname], ['time', seconds(c.timeSeconds)]])}`
  const body: string[] = []
  if (c.failure) body.push(`      <failure${attrs([['message', c.failure.message], ['type', c.failure.type]])}>${xmlEscape(c.failure.text ?? c.failure.message)}</failure>`)
  if (c.error) body.push(`      <error${attrs([['message', c.error.message], ['type', c.error.type]])}>${xmlEscape(c.error.text ?? c.error.message)}</error>`)
  if (c.skipped !== undefined) body.push(`      <skipped${attrs([['message', c.skipped]])}/>`)
  if (c.systemOut) body.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`)
  return body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`
}

export function renderJUnit(suites: JUnitSuite[]): string {
  const count = (s: JUnitSuite, f: (c: JUnitCase) => boolean) => s.cases.filter(f).length
  const time = (s: JUnitSuite) => s.cases.reduce((t, c) => t + c.timeSeconds, 0)
  const total = {
    tests: suites.reduce((n, s) => n + s.cases.length, 0),
    failures: suites.reduce((n, s) => n + count(s, (c) => Boolean(c.failure)), 0),
    errors: suites.reduce((n, s) => n + count(s, (c) => Boolean(c.error)), 0),
    time: suites.reduce((t, s) => t + time(s), 0),
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs([['tests', total.tests], ['failures', total.failures], ['errors', total.errors], ['time', seconds(total.time)]])}>`]
  for (const s of suites) {
    lines.push(
      `  <testsuite${attrs([
        ['name', s.name],
        ['tests', s.cases.length],
        ['failures', count(s, (c) => Boolean(c.failure))],
        ['errors', count(s, (c) => Boolean(c.error))],
        ['skipped', count(s, (c) => c.skipped !== undefined)],
        ['time', seconds(time(s))],
        ['timestamp', s.timestamp.replace(/\.\d+Z$/, '').replace(/Z$/, '')],
        ...(s.hostname ? ([['hostname', s.hostname]] as [string, string][]) : []),
      ])}>`,
    )
    const props = Object.entries(s.properties ?? {})
    if (props.length > 0) {
      lines.push('    <properties>', ...props.map(([k, v]) => `      <property${attrs([['name', k], ['value', v]])}/>`), '    </properties>')
    }

    lines.push(...s.cases.map(renderCase), '  </testsuite>')
  }

  lines.push('</testsuites>', '')
  return lines.join('\n')
}

/**
 * Writes the report through a temp file and a rename, so a CI job never reads half a file. A
 * missing folder is created, as pytest's --junitxml and jest-junit do (`--junit reports/x.xml`).
 */
export function writeJUnit(path: string, suites: JUnitSuite[]): void {
  mkdirSync(dirname(path), {recursive: true})
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  writeFileSync(temp, renderJUnit(suites))
  renameSync(temp, path)
}
