/**
 * Tables and fields for human output. On a terminal a table fits its width: the widest columns
 * are cut with `…` until the rows fit. Piped, rows are printed in full (a script or `grep`
 * sees every character). The base command sets the width once (`setTableWidth`).
 */
import {style} from './style.js'
import {singleLine, terminalSafe} from './terminal-text.js'

const ANSI = /\u001B\[[0-9;]*m/g
/** Strips ANSI colour so column widths count what the eye sees. */
const visible = (s: string) => s.replace(ANSI, '')
const GAP = 2
/** A column is never cut narrower than this (or its header). */
const MIN_COLUMN = 6

let terminalWidth: number | undefined

/** The terminal's width in columns, or undefined when output is not a terminal (no cutting). */
export function setTableWidth(columns: number | undefined): void {
  terminalWidth = columns && columns > 0 ? columns : undefined
}

/** Cuts a cell to `width` visible characters, the last being `…` (colour is dropped from a cut cell). */
function cut(cell: string, width: number): string {
  const plain = visible(cell)
  if (plain.length <= width) return cell
  return plain.slice(0, Math.max(0, width - 1)) + '…'
}

/**
 * Column widths that fit `maxWidth`: while the row is too wide, the widest column loses one
 * character (never below its header or MIN_COLUMN). The last column is not padded, so its
 * width counts only when it is cut.
 */
export function fitWidths(natural: number[], headers: string[], maxWidth: number | undefined): number[] {
  const widths = [...natural]
  if (maxWidth === undefined) return widths
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1)
  const floor = headers.map((h) => Math.max(h.length, MIN_COLUMN))
  while (total() > maxWidth) {
    let widest = -1
    for (let i = 0; i < widths.length; i++) {
      if (widths[i] > floor[i] && (widest === -1 || widths[i] > widths[widest])) widest = i
    }

    if (widest === -1) break
    widths[widest]--
  }

  return widths
}

/** A plain aligned table: a header row and columns separated by two spaces. */
export function renderTable(headers: string[], rows: string[][], options: {maxWidth?: number} = {}): string {
  // Escaped before measuring, so a hostile name is measured as it will be shown.
  const cells = rows.map((row) => row.map((c) => singleLine(terminalSafe(c ?? '', {colour: true}))))
  // A loop, not Math.max(...column): a spread of 125,000 rows overflows the call stack.
  const natural = headers.map((h) => h.length)
  for (const row of cells) {
    for (let i = 0; i < natural.length; i++) {
      const w = visible(row[i] ?? '').length
      if (w > natural[i]) natural[i] = w
    }
  }

  const maxWidth = 'maxWidth' in options ? options.maxWidth : terminalWidth
  const widths = fitWidths(natural, headers, maxWidth)
  const line = (row: string[]) => {
    let out = ''
    for (let i = 0; i < headers.length; i++) {
      const c = cut(row[i] ?? '', widths[i])
      out += i === headers.length - 1 ? c : c + ' '.repeat(widths[i] - visible(c).length) + ' '.repeat(GAP)
    }

    return out.trimEnd()
  }

  const lines = [line(headers)]
  for (const row of cells) lines.push(line(row))
  return lines.join('\n')
}

/** "key: value" lines with aligned values. */
export function renderFields(fields: [string, string][]): string {
  let width = 0
  for (const [k] of fields) width = Math.max(width, k.length)
  return fields.map(([k, v]) => `${(k + ':').padEnd(width + 1)} ${v}`).join('\n')
}

/** The one default of every listing's table: more rows than a person reads, fewer than a fleet. */
export const DEFAULT_LIMIT = 1000

/**
 * The one footer of a cut listing: how many more there are (when known) and how to see them:
 * the flag (`--limit` by default) or, with `flag: null` (a list inside a report), --json.
 * Empty when nothing was left out.
 */
export function moreFooter(options: {shown: number; total?: number; more?: boolean; flag?: string | null; what?: string}): string {
  const flag = options.flag === undefined ? '--limit' : options.flag
  const what = options.what ? ` ${options.what}` : ''
  if (options.total !== undefined) {
    const hidden = options.total - options.shown
    if (hidden <= 0) return ''
    return flag ? `… ${hidden} more${what}; use ${flag} ${options.total} to see them all, or --json.` : `… ${hidden} more${what}; see --json.`
  }

  if (!options.more) return ''
  return flag ? `… more${what} not shown (this is the first ${options.shown}); use ${flag} N to see more, or --json.` : `… more${what} not shown; see --json.`
}

/** A listing and its footer (dimmed), if any. */
export function withFooter(body: string, footer: string): string {
  return footer ? `${body}\n${style.dim(footer)}` : body
}
