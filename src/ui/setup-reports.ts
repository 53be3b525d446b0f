/**
 * Writes the reports of a tenant-as-code plan (`validate --junit FILE --html FILE`): each one
 * whole through the project's atomic writer (a temporary file, fsync, rename), so a CI job that
 * publishes the report never reads half of one; a missing folder is created, as `--junit` of
 * the detection checks does. The reports carry no secret (the plan has none), so they are
 * readable by the CI user's group (0644).
 */
import {mkdir} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'
import {UsageError} from '../core/errors.js'
import type {SetupPlan} from '../core/tenant-file/plan-types.js'
import {writeFileAtomic} from '../lib/zip-writer.js'
import {renderPlanHtml} from './present/setup-html.js'
import {renderPlanJunit} from './present/setup-junit.js'

export interface PlanReportTargets {
  junit?: string
  html?: string
}

/** Where each report was written, as absolute paths (the hint in the command's output). */
export interface PlanReportsWritten {
  junit?: string
  html?: string
}

async function writeReport(kind: 'JUnit' | 'HTML', flag: string, path: string, text: string): Promise<string> {
  const target = resolve(path)
  try {
    await mkdir(dirname(target), {recursive: true})
    await writeFileAtomic(target, text, 0o644)
    return target
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new UsageError(`Cannot write the ${kind} report '${path}' (${reason}).`, {
      suggestions: [`Pass ${flag} a file path in a folder you can write to.`],
    })
  }
}

/**
 * Writes each report asked for, independently: one that cannot be written (a UsageError naming
 * it and the flag) does not keep the other from being written. The caller decides what a
 * failure means (validate keeps its drift exit code; in sync it exits with the error).
 */
export async function writePlanReports(plan: SetupPlan, targets: PlanReportTargets): Promise<{written: PlanReportsWritten; failures: UsageError[]}> {
  const written: PlanReportsWritten = {}
  const failures: UsageError[] = []
  const attempt = async (key: keyof PlanReportsWritten, write: () => Promise<string>) => {
    try {
      written[key] = await write()
    } catch (error) {
      failures.push(error as UsageError)
    }
  }

  if (targets.junit !== undefined) await attempt('junit', () => writeReport('JUnit', '--junit', targets.junit!, renderPlanJunit(plan)))
  if (targets.html !== undefined) await attempt('html', () => writeReport('HTML', '--html', targets.html!, renderPlanHtml(plan)))
  return {written, failures}
}

/** The human hint of where the reports went, one line each. */
export function planReportLines(written: PlanReportsWritten): string[] {
  const lines: string[] = []
  if (written.junit) lines.push(`JUnit report written to ${written.junit}`)
  if (written.html) lines.push(`HTML report written to ${written.html}`)
  return lines
}
