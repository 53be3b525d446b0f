import {readFileSync} from 'node:fs'

/** Reads all of stdin (for secrets piped in, never passed as flag values). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Reads a secret from a file, trimmed of the trailing newline editors add. */
export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').trim()
}
