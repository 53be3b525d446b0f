import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createSigningIdentity} from '../../src/lib/x509.js'
import {tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`

const withOpenssl = requireTool('openssl')

withOpenssl.describe('tenant signing identity (X.509 DER)', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)

  it('produces DER certificates openssl parses, and the leaf verifies against the tenant CA', async () => {
    const identity = await createSigningIdentity('00000000-0000-4000-8000-00000000a7c1', new Date())
    writeFileSync(join(home, 'ca.der'), identity.caCertDer)
    writeFileSync(join(home, 'ca.pem'), pem(identity.caCertDer))
    writeFileSync(join(home, 'leaf.pem'), pem(identity.signingCertDer))
    const text = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', join(home, 'ca.der'), '-noout', '-text'], {encoding: 'utf8'})
    expect(text).toContain('CN = atpctl Tenant Root CA')
    expect(text).toContain('CA:TRUE')
    expect(text).toContain('Public-Key: (2048 bit)')
    const verify = execFileSync('openssl', ['verify', '-CAfile', join(home, 'ca.pem'), join(home, 'leaf.pem')], {encoding: 'utf8'})
    expect(verify.trim()).toMatch(/leaf\.pem: OK$/)
    expect(identity.signingKeyPem).toContain('BEGIN PRIVATE KEY')
  })
})
