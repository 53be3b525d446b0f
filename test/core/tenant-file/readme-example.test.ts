/** The README's example atpctl.yaml is a valid file: the schema and the parser accept it. */
import {readFileSync} from 'node:fs'
import {parseTenantFile} from '../../../src/core/tenant-file/parse.js'

it('the README example of atpctl.yaml parses against the schema, with every section', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const example = /### The file\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(example).toBeDefined()
  const {document} = parseTenantFile(example!, 'README.md')
  expect(Object.keys(document).sort()).toEqual(['accessPolicies', 'appConfigurations', 'collections', 'compliancePolicies', 'edrProfiles', 'groups', 'integrations', 'policies', 'tenant', 'version'])
  expect(document.accessPolicies?.find((a) => a.reportOnly)).toMatchObject({enabled: false, reportOnly: true})
})
