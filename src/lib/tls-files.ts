import {createPrivateKey, type KeyObject, X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {InvalidInputError, UsageError} from '../core/errors.js'

/**
 * Reads and checks `serve --tls-cert/--tls-key` before the server starts: each file must be
 * what its flag says (a PEM certificate, a PEM private key) and the key must belong to the
 * certificate. A bad file is invalid input (exit 7) naming the file; an unreadable one is a
 * usage error (exit 2) naming it.
 */
export function readTlsPair(certFile: string, keyFile: string): {cert: Buffer; key: Buffer} {
  const cert = readPem(certFile, '--tls-cert')
  const key = readPem(keyFile, '--tls-key')
  const swapped = 'Check the order: --tls-cert takes the certificate (BEGIN CERTIFICATE), --tls-key the private key (BEGIN PRIVATE KEY).'
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(cert)
  } catch {
    const hint = looksLikeKey(cert) ? 'holds a private key, not a certificate' : 'is not a PEM certificate'
    throw new InvalidInputError(`The --tls-cert file '${certFile}' ${hint}.`, {code: 'INVALID_TLS_FILE', suggestions: [swapped]})
  }

  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(key)
  } catch {
    const hint = key.includes('BEGIN CERTIFICATE') ? 'holds a certificate, not a private key' : 'is not a PEM private key'
    throw new InvalidInputError(`The --tls-key file '${keyFile}' ${hint}.`, {code: 'INVALID_TLS_FILE', suggestions: [swapped]})
  }

  if (!certificate.checkPrivateKey(privateKey)) {
    throw new InvalidInputError(`The private key in '${keyFile}' does not belong to the certificate in '${certFile}'.`, {
      code: 'INVALID_TLS_FILE',
      suggestions: ['Pass the key the certificate was issued for.'],
    })
  }

  return {cert, key}
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    throw new UsageError(`Cannot read ${flag} file '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, {
      suggestions: [`Pass the path of a PEM file to ${flag}.`],
    })
  }
}

const looksLikeKey = (pem: Buffer) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem.toString('latin1'))
