import {parseTenantFile, type TenantFileError} from '../../../src/core/tenant-file/parse.js'

/** The errors of a file parseTenantFile refuses (it must refuse it with exit 7). */
function errorsOf(text: string, file = 'atpctl.yaml'): TenantFileError[] {
  try {
    parseTenantFile(text, file)
  } catch (error) {
    expect(error).toMatchObject({exitCode: 7, code: 'INVALID_TENANT_FILE'})
    return (error as {details: {errors: TenantFileError[]}}).details.errors
  }

  throw new Error('the file was accepted')
}

const ok = ['version: atpctl/v1', 'tenant:', '  location: eu', 'collections:', '  - name: Servers', '    rules:', "      - os ~ 'Server'", 'policies:', '  - name: Any OS', '    type: onboarding', '    configFile: {file: onboarding.zip}', '    deployments: [Servers]', ''].join('\n')

describe('parseTenantFile', () => {
  it('reads a valid file into the TenantDocument and knows where each value is written', () => {
    // Given a valid file, When it is parsed, Then the document is its content and positions are 1-based.
    const parsed = parseTenantFile(ok, 'atpctl.yaml')
    expect(parsed.document).toEqual({
      version: 'atpctl/v1',
      tenant: {location: 'eu'},
      collections: [{name: 'Servers', rules: ["os ~ 'Server'"]}],
      policies: [{name: 'Any OS', type: 'onboarding', configFile: {file: 'onboarding.zip'}, deployments: ['Servers']}],
    })
    expect(parsed.positionOf(['tenant', 'location'])).toEqual({file: 'atpctl.yaml', line: 3, column: 13})
    expect(parsed.positionOf(['policies', 0])).toEqual({file: 'atpctl.yaml', line: 9, column: 5})
    expect(parsed.positionOf(['policies', 0, 'deployments', 0])).toEqual({file: 'atpctl.yaml', line: 12, column: 19})
    expect(parsed.positionOf(['groups'])).toBeUndefined()
  })

  it('names the line and column of a YAML syntax error', () => {
    const errors = errorsOf('version: atpctl/v1\ngroups:\n  - name: [Finance\n')
    expect(errors[0]).toMatchObject({file: 'atpctl.yaml', line: expect.any(Number), column: expect.any(Number)})
    expect(errors[0].message).toMatch(/^YAML syntax:/)
  })

  it('refuses a key written twice in a mapping, at the second one', () => {
    const [e] = errorsOf('version: atpctl/v1\ntenant:\n  location: us\n  location: eu\n')
    expect(e).toMatchObject({line: 4, column: 3})
    expect(e.message).toMatch(/unique|once/)
  })

  it('an enum value: says what was expected and suggests the closest', () => {
    const [e] = errorsOf(ok.replace('location: eu', 'location: euu'))
    expect(e).toEqual({file: 'atpctl.yaml', line: 3, column: 13, message: "tenant.location is 'euu'; expected one of: us, eu, uk (did you mean 'eu'?)"})
  })

  it('a wrong type: says the type expected', () => {
    const [e] = errorsOf(ok.replace("      - os ~ 'Server'", '      - 12'))
    expect(e).toMatchObject({line: 7, column: 9, message: 'collections[0].rules[0] is number 12; expected a string'})
    const [list] = errorsOf(ok.replace('deployments: [Servers]', 'deployments: Servers'))
    expect(list).toMatchObject({line: 12, column: 18, message: "policies[0].deployments is 'Servers'; expected a list"})
  })

  it('a missing required property: at the mapping that lacks it', () => {
    const [e] = errorsOf(ok.replace('    type: onboarding\n', ''))
    expect(e).toMatchObject({line: 9, column: 5, message: "policies[0] is missing the required property 'type'"})
    const [version] = errorsOf('tenant:\n  location: us\n')
    expect(version).toMatchObject({line: 1, column: 1, message: "the file is missing the required property 'version'"})
  })

  it('an unknown property: at its key, with "did you mean"', () => {
    const [e] = errorsOf(ok.replace('    deployments:', '    deployment:'))
    expect(e).toMatchObject({line: 12, column: 5, message: "unknown property 'deployment' in policies[0]: did you mean 'deployments'?"})
    const [far] = errorsOf(`${ok}colour: blue\n`)
    expect(far.message).toMatch(/^unknown property 'colour' in the file; expected one of: version, tenant, integrations/)
  })

  it('a secret written inline, or a reference naming both or neither, is refused', () => {
    const [inline] = errorsOf(ok.replace('configFile: {file: onboarding.zip}', 'workspaceKey: s3cr3t'))
    expect(inline).toMatchObject({line: 11, message: "policies[0].workspaceKey is 's3cr3t'; expected a mapping or null"})
    const [both] = errorsOf(ok.replace('{file: onboarding.zip}', '{file: a.zip, env: A}'))
    expect(both.message).toBe('policies[0].configFile must name exactly one of env (an environment variable) or file (a path)')
    const [badEnv] = errorsOf(ok.replace('{file: onboarding.zip}', '{env: 1ABC}'))
    expect(badEnv.message).toMatch(/expected an environment variable name/)
  })

  it('the version must be atpctl/v1', () => {
    const [e] = errorsOf(ok.replace('version: atpctl/v1', 'version: atpctl/v2'))
    expect(e).toMatchObject({line: 1, column: 10, message: "version is 'atpctl/v2'; expected 'atpctl/v1'"})
  })

  it('two entries of a list with one name (whatever the case) are refused at the second', () => {
    const text = 'version: atpctl/v1\ngroups:\n  - name: Finance\n  - name: finance\n'
    const [e] = errorsOf(text)
    expect(e).toMatchObject({line: 4, column: 11, message: "groups names group 'finance' twice (first at line 3); names are unique, whatever their case"})
    const [dep] = errorsOf('version: atpctl/v1\npolicies:\n  - name: P\n    type: onboarding\n    deployments: [A, a]\n')
    expect(dep).toMatchObject({line: 5, message: expect.stringContaining("deployment 'a' twice")})
    const [same] = errorsOf('version: atpctl/v1\ngroups:\n  - name: G\n    users: [a@x.com, a@x.com]\n')
    expect(same).toMatchObject({line: 4, column: 22, message: 'groups[0].users lists the same value twice'})
  })

  it('lists every problem, sorted by line, in the message and in details.errors', () => {
    const text = 'version: atpctl/v1\ntenant:\n  location: mars\ngroups:\n  - description: no name\npolicies:\n  - name: P\n    type: sideways\n'
    let message = ''
    try {
      parseTenantFile(text, 'x.yaml')
    } catch (error) {
      message = (error as Error).message
    }

    expect(message.split('\n')).toEqual([
      'x.yaml is not a valid atpctl.yaml (3 problems):',
      "x.yaml:3:13: tenant.location is 'mars'; expected one of: us, eu, uk",
      "x.yaml:5:5: groups[0] is missing the required property 'name'",
      "x.yaml:8:11: policies[0].type is 'sideways'; expected one of: onboarding, offboarding",
    ])
  })

  it('an empty file, or one that is not a mapping, is refused', () => {
    expect(errorsOf('')[0].message).toMatch(/expected a mapping/)
    expect(errorsOf('- a\n- b\n')[0]).toMatchObject({line: 1, column: 1, message: 'the file is a list; expected a mapping'})
  })

  it('names standard input as (stdin)', () => {
    expect(() => parseTenantFile('version: 1\n', '-')).toThrow(/^\(stdin\) is not a valid atpctl\.yaml:\n\(stdin\):1:10:/)
  })
})
