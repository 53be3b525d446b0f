/** Strips ANSI escapes so column widths count what the eye sees. */
const visible = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '')

/** A plain aligned table: a header row and columns separated by two spaces. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visible(c).length)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

/** "key: value" lines with aligned values. */
export function renderFields(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([k]) => k.length))
  return fields.map(([k, v]) => `${(k + ':').padEnd(width + 1)} ${v}`).join('\n')
}
