/**
 * A one-line progress bar on stderr, drawn only on a terminal that reports its width (some CI
 * pseudo-terminals report 0 columns) and at most ten times a second.
 */
export interface ProgressBar {
  update(done: number, total: number): void
  done(): void
}

const silent: ProgressBar = {update() {}, done() {}}

export function createProgressBar(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr, unit: 'bytes' | 'items' = 'bytes'): ProgressBar {
  if (!enabled || !stream.isTTY || (stream.columns ?? 0) <= 0) return silent
  let last = 0
  let drawn = false
  const mb = (n: number) => (n / 1_048_576).toFixed(1)
  return {
    update(done, total) {
      const now = Date.now()
      if (now - last < 100 && done < total) return
      last = now
      const ratio = total > 0 ? Math.min(1, done / total) : 0
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 30))
      const filled = Math.round(ratio * width)
      const amount = unit === 'bytes' ? `${mb(done)}/${mb(total)} MB` : `${done}/${total}`
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${amount}`)
      drawn = true
    },
    done() {
      if (drawn) stream.write('\r\u001B[2K')
    },
  }
}
