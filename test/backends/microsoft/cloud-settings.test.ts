/**
 * The clouds' endpoints and scopes (REFERENCE §8.1, §8.2) and the checks on a microsoft
 * profile's settings: GUIDs, https URLs, a known cloud and sign-in kind, no secret kept.
 */
import {endpointsFor, isPublicAuthorityHost} from '../../../src/backends/microsoft/cloud.js'
import {checkMicrosoftSettings, microsoftSettingsFromProfile, microsoftSettingsToProfile} from '../../../src/backends/microsoft/settings.js'

const ids = {tenantId: '6F1C2B0E-3D4A-4C5B-9E8F-0A1B2C3D4E5F', clientId: '2a7d9c41-8e3b-4f60-a1d2-b3c4d5e6f708'}

describe('Microsoft clouds', () => {
  it.each([
    ['commercial', 'https://login.microsoftonline.com', 'https://api.security.microsoft.com', 'https://graph.microsoft.com', 'https://management.azure.com', 'https://api.securitycenter.microsoft.com/.default'],
    ['gcc', 'https://login.microsoftonline.com', 'https://api-gcc.securitycenter.microsoft.us', 'https://graph.microsoft.com', 'https://management.azure.com', 'https://api-gcc.securitycenter.microsoft.us/.default'],
    ['gcc-high', 'https://login.microsoftonline.us', 'https://api-gov.securitycenter.microsoft.us', 'https://graph.microsoft.us', 'https://management.usgovcloudapi.net', 'https://api-gov.securitycenter.microsoft.us/.default'],
    ['dod', 'https://login.microsoftonline.us', 'https://api-gov.securitycenter.microsoft.us', 'https://dod-graph.microsoft.us', 'https://management.usgovcloudapi.net', 'https://api-gov.securitycenter.microsoft.us/.default'],
  ] as const)('%s: sign-in, Defender, Graph and ARM hosts and scopes', (cloud, authority, defender, graph, arm, scope) => {
    const e = endpointsFor(cloud)
    expect(e).toMatchObject({authorityHost: authority, defenderUrl: defender, graphUrl: graph, armUrl: arm, publicAuthority: true})
    expect(e.scopes).toEqual({defender: scope, graph: `${graph}/.default`, arm: `${arm}/.default`})
  })

  it('moves requests with an override but keeps the scope the real API wants, and turns instance discovery off for a private authority', () => {
    const e = endpointsFor('commercial', {authorityHost: 'https://127.0.0.1:8443/', defenderUrl: 'https://proxy.corp.example/defender/'})
    expect(e.authorityHost).toBe('https://127.0.0.1:8443')
    expect(e.defenderUrl).toBe('https://proxy.corp.example/defender')
    expect(e.scopes.defender).toBe('https://api.securitycenter.microsoft.com/.default')
    expect(e.publicAuthority).toBe(false)
    expect(isPublicAuthorityHost('https://login.microsoftonline.us')).toBe(true)
    expect(isPublicAuthorityHost('https://login.microsoftonline.com.evil.example')).toBe(false)
  })
})

describe('microsoft profile settings', () => {
  it('defaults the cloud and picks the sign-in kind from what was given', () => {
    expect(checkMicrosoftSettings(ids)).toEqual({tenantId: ids.tenantId.toLowerCase(), clientId: ids.clientId, cloud: 'commercial', credential: 'environment'})
    expect(checkMicrosoftSettings({...ids, certificateFile: 'app.pem'}).credential).toBe('certificate')
    expect(checkMicrosoftSettings({...ids, secretFile: 'secret.txt', cloud: 'gcc-high'})).toMatchObject({credential: 'secret', cloud: 'gcc-high'})
  })

  it.each([
    ['no tenant ID', {...ids, tenantId: undefined}, /needs the tenant ID/],
    ['a domain for the tenant ID', {...ids, tenantId: 'contoso.onmicrosoft.com'}, /not a tenant ID: expected a GUID/],
    ['a short client ID', {...ids, clientId: '1234'}, /not a client \(application\) ID/],
    ['an unknown cloud', {...ids, cloud: 'china'}, /'china' is not a Microsoft cloud/],
    ['an unknown sign-in kind', {...ids, credential: 'password'}, /'password' is not a sign-in kind/],
    ['a certificate with another kind', {...ids, credential: 'azure-cli', certificateFile: 'a.pem'}, /only to sign in with a certificate/],
    ['a secret from stdin', {...ids, secretFile: '-'}, /cannot be kept in a profile/],
    ['an http Defender URL', {...ids, defenderUrl: 'http://api.example'}, /--defender-url must be an https:\/\/ URL/],
    ['credentials in the authority host', {...ids, authorityHost: 'https://user:pw@login.example'}, /must not carry credentials/],
    ['a Graph URL that is not a URL', {...ids, graphUrl: 'not a url'}, /is not a URL/],
  ] as const)('refuses %s (exit 2)', (_label, input, message) => {
    expect(() => checkMicrosoftSettings(input)).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(message)}))
  })

  it('round-trips through a profile under the init flag names, and checks a stored profile again', () => {
    const settings = checkMicrosoftSettings({...ids, certificateFile: '/etc/atpctl/app.pem', defenderUrl: 'https://proxy.example/d/', caFile: '/etc/ssl/corp.pem'})
    const stored = microsoftSettingsToProfile(settings)
    expect(stored).toEqual({'tenant-id': ids.tenantId.toLowerCase(), 'client-id': ids.clientId, cloud: 'commercial', credential: 'certificate', 'certificate-file': '/etc/atpctl/app.pem', 'defender-url': 'https://proxy.example/d', 'ca-file': '/etc/ssl/corp.pem'})
    expect(microsoftSettingsFromProfile(stored)).toEqual(settings)
    expect(() => microsoftSettingsFromProfile({...stored, 'defender-url': 'http://x'})).toThrow(/https/)
  })
})
