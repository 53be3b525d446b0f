import {CONTRACT_SUITES} from './contract/index.js'
import {type ContractTarget, openTarget, TARGET_KINDS} from './contract/harness.js'

// The same cases against the embedded backend and against a real loopback server (issue 7).
describe.each(TARGET_KINDS)('backend contract on %s', (kind) => {
  for (const suite of CONTRACT_SUITES) {
    describe(suite.name, () => {
      let target: ContractTarget | undefined
      beforeAll(async () => {
        target = await openTarget(kind, {withTenant: suite.withTenant})
      })
      afterAll(async () => {
        await target?.cleanup()
      })
      suite.define(() => target!)
    })
  }
})
