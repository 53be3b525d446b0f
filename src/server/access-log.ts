/**
 * Structured access log: one JSON object per request. It never holds a secret: no headers, no
 * bodies, no query strings (secrets never travel there, but a careless client could put one
 * there), only who (key id and name, or sensor token id), what and how it went.
 */
export interface AccessLogEntry {
  time: string
  requestId: string
  method: string
  route: string
  path: string
  status: number
  ms: number
  ip: string
  principal: string | null
  role: string | null
  operation: string | null
  bytesIn: number
  errorCode: string | null
}

export type AccessLogger = (entry: AccessLogEntry) => void

/** Writes JSON lines to a stream (stderr by default for `atpctl serve`). */
export function jsonLineLogger(write: (line: string) => void): AccessLogger {
  return (entry) => write(JSON.stringify(entry) + '\n')
}

/** Drops the query string: the log keeps the path only. */
export function pathOnly(url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
