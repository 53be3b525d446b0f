/**
 * --trust-root (issue 13): an administrator's additional Microsoft root for a private or
 * national cloud. Only a root is accepted (an intermediate or leaf would make whatever it signed
 * pass as Microsoft's); a package chained to it is `microsoft`, marked as trusted through an
 * added root; without it the same package is `unknown`, and the built-in root stays the only default.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {inspectPackage} from '../../../src/core/package/inspect.js'
import {loadTrustedRoots, trustedRootsOf} from '../../../src/core/package/trust.js'
import {expectAtpError} from '../../backends/contract/expect.js'
import {subscriptionPackage} from '../../helpers/subscription-package.js'
import {microsoftLikeChain} from './fixtures.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atpctl-trust-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`

describe('trusted roots', () => {
  it('reads a root as PEM or DER, by the SHA-256 of its DER', async () => {
    const chain = microsoftLikeChain()
    const root = chain.chain[1]
    writeFileSync(join(dir, 'root.pem'), pem(root))
    writeFileSync(join(dir, 'root.cer'), root)
    const roots = await loadTrustedRoots([join(dir, 'root.pem'), join(dir, 'root.cer')])
    expect(roots.map((r) => r.sha256)).toEqual([chain.rootSha256, chain.rootSha256])
    expect(roots[0].subject).toMatch(/CN=Example Test Root Certificate Authority 2011/)
  })

  it('refuses an intermediate or a leaf (exit 7), a file that is no certificate (exit 7), a missing file (exit 3)', async () => {
    const chain = microsoftLikeChain()
    expect(() => trustedRootsOf([{file: 'inter.pem', data: Buffer.from(pem(chain.chain[0]))}])).toThrow(expect.objectContaining({code: 'TRUST_ROOT_INVALID', exitCode: 7}))
    expect(() => trustedRootsOf([{file: 'leaf.cer', data: chain.leafDer}])).toThrow(expect.objectContaining({code: 'TRUST_ROOT_INVALID', exitCode: 7}))
    // A bundle is read whole: one non-root in it refuses the file.
    expect(() => trustedRootsOf([{file: 'bundle.pem', data: Buffer.from(pem(chain.chain[1]) + pem(chain.chain[0]))}])).toThrow(/not a root certificate authority/)
    expect(() => trustedRootsOf([{file: 'notes.txt', data: Buffer.from('hello')}])).toThrow(expect.objectContaining({code: 'TRUST_ROOT_INVALID', exitCode: 7}))
    await expectAtpError(loadTrustedRoots([join(dir, 'absent.pem')]), {code: 'NOT_FOUND', exitCode: 3})
  })

  it("a subscription's package is Microsoft's through the added root only; the built-in root is the one default", async () => {
    const pkg = subscriptionPackage()
    const file = join(dir, 'MicrosoftDefenderATPOnboardingLinuxServer.py')
    writeFileSync(file, pkg.linux)
    const plain = await inspectPackage(file)
    expect(plain.signer).toMatchObject({kind: 'unknown', trustedBy: null, rootSha256: pkg.rootSha256})
    expect(plain.signatures).toEqual({sha1Valid: true, sha256Valid: true, sha256PssValid: null, chainValid: true})
    const trusted = await inspectPackage(file, {trustedRoots: await loadTrustedRoots([pkg.writeRoot(dir)])})
    expect(trusted.signer).toMatchObject({kind: 'microsoft', trustedBy: 'added-root'})
    expect(trusted.problems).toEqual([])
    // Another root trusted changes nothing.
    const other = await inspectPackage(file, {trustedRoots: [{sha256: 'ab'.repeat(32)}]})
    expect(other.signer.kind).toBe('unknown')
  })
})
