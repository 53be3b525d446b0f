/**
 * The roots `package inspect` trusts as Microsoft's beyond the built-in one (REFERENCE §1.3a):
 * a private or national cloud whose packages chain to another Microsoft root, given by an
 * administrator as certificate files (`--trust-root FILE`, `ATPCTL_TRUST_ROOT`). A trusted root
 * must be a root (self-issued, self-signed): an intermediate or a leaf would let anything it
 * signed pass as Microsoft's. Reading and checking only; the signer decision stays in inspect.ts.
 */
import {createHash, X509Certificate} from 'node:crypto'
import {basename} from 'node:path'
import {InvalidInputError, NotFoundError} from '../errors.js'

export interface TrustedRoot {
  /** SHA-256 of the DER, lower-case hex: what a package's root is compared with. */
  sha256: string
  subject: string
  /** The file it came from. */
  file: string
}

const PEM = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

/** The certificates of a file's bytes: PEM (one or more) or one DER. */
function certificatesOf(data: Buffer, file: string): X509Certificate[] {
  const text = data.toString('latin1')
  const blocks = [...text.matchAll(PEM)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'))
  const ders = blocks.length > 0 ? blocks : [data]
  try {
    return ders.map((der) => new X509Certificate(der))
  } catch {
    throw new InvalidInputError(`'${basename(file)}' is not an X.509 certificate (PEM or DER).`, {
      code: 'TRUST_ROOT_INVALID',
      suggestions: ['Pass the root certificate of the cloud whose packages you inspect, as a .pem, .crt or .cer file.'],
    })
  }
}

/** The roots of certificate files, each checked to be a root; bytes are read by the caller. */
export function trustedRootsOf(files: {file: string; data: Buffer}[]): TrustedRoot[] {
  const roots: TrustedRoot[] = []
  for (const {file, data} of files) {
    for (const cert of certificatesOf(data, file)) {
      const subject = cert.subject.replace(/\n/g, ', ')
      if (!cert.checkIssued(cert) || !cert.verify(cert.publicKey) || !cert.ca) {
        throw new InvalidInputError(`'${basename(file)}' holds '${subject}', which is not a root certificate authority (a trusted root must be self-signed and a CA).`, {
          code: 'TRUST_ROOT_INVALID',
          suggestions: ['Pass the root of the chain, not an intermediate or signing certificate: it is the last certificate of the package chain.'],
        })
      }

      roots.push({sha256: createSha256(cert.raw), subject, file})
    }
  }

  return roots
}

/** Reads and checks root certificate files (missing: exit 3; not a root: exit 7). */
export async function loadTrustedRoots(files: string[]): Promise<TrustedRoot[]> {
  const {readFile} = await import('node:fs/promises')
  const read: {file: string; data: Buffer}[] = []
  for (const file of files) {
    try {
      read.push({file, data: await readFile(file)})
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new NotFoundError(`Root certificate file '${file}' not found.`, {suggestions: ['Check the path given to --trust-root (or ATPCTL_TRUST_ROOT).']})
      throw new InvalidInputError(`Cannot read root certificate file '${file}' (${code ?? (error as Error).message}).`, {suggestions: ['Check the path given to --trust-root (or ATPCTL_TRUST_ROOT) and its permissions.']})
    }
  }

  return trustedRootsOf(read)
}

function createSha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
