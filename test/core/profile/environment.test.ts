import {applyEnvironment, newProfile, SETTING_ENV, SETTINGS} from '../../../src/core/profile.js'

describe('settings from the environment (flag > env > profile)', () => {
  it('every setting has its ATPCTL_ variable', () => {
    expect(Object.keys(SETTING_ENV).sort()).toEqual(Object.keys(SETTINGS).sort())
    for (const name of Object.values(SETTING_ENV)) expect(name).toMatch(/^ATPCTL_[A-Z_]+$/)
  })

  it('overrides the profile and says where each value came from', () => {
    const stored = {backend: 'remote' as const, settings: {url: 'https://a.example', 'configmgr-version': '2002'}}
    const effective = applyEnvironment(stored, {ATPCTL_CONFIGMGR_VERSION: '2103', ATPCTL_CA_FILE: '/ci/ca.pem'})
    expect(effective.settings).toEqual({url: 'https://a.example', 'configmgr-version': '2103', 'ca-file': '/ci/ca.pem'})
    expect(effective.sources).toMatchObject({backend: 'profile', url: 'profile', 'configmgr-version': 'env', 'ca-file': 'env'})
    expect(effective.apiKeyFile).toBeNull()
  })

  it('ATPCTL_URL alone makes a fresh profile remote; ATPCTL_BACKEND says otherwise explicitly', () => {
    const remote = applyEnvironment(newProfile(), {ATPCTL_URL: 'https://atp.example.net:8443/', ATPCTL_API_KEY_FILE: '/run/secrets/key'})
    expect(remote).toMatchObject({backend: 'remote', settings: {url: 'https://atp.example.net:8443'}, apiKeyFile: '/run/secrets/key'})
    expect(applyEnvironment(newProfile(), {ATPCTL_URL: 'https://x.example', ATPCTL_BACKEND: 'local'}).backend).toBe('local')
    expect(applyEnvironment(newProfile(), {}).sources.backend).toBe('default')
  })

  it('checks values like config set does, naming the variable; empty means unset', () => {
    expect(() => applyEnvironment(newProfile(), {ATPCTL_URL: 'ftp://x'})).toThrow(/ATPCTL_URL/)
    expect(() => applyEnvironment(newProfile(), {ATPCTL_BACKEND: 'cloud'})).toThrow(/ATPCTL_BACKEND: 'cloud' is not one of/)
    expect(applyEnvironment(newProfile(), {ATPCTL_URL: ''}).backend).toBe('local')
  })
})
