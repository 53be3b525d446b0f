import {apiKeysSuite} from './apikeys.cases.js'
import {endpointsSuite} from './endpoints.cases.js'
import {foundationSuite} from './foundation.cases.js'
import {intuneSuite} from './intune.cases.js'
import {lifecycleSuite} from './lifecycle.cases.js'
import {operationsSuite} from './operations.cases.js'
import {pagesSuite} from './pages.cases.js'
import {policiesSuite} from './policies.cases.js'
import {tenantFileSuite} from './tenant-file.cases.js'
import type {ContractSuite} from './harness.js'

/** Every contract suite; each capability adds one line. */
export const CONTRACT_SUITES: ContractSuite[] = [foundationSuite, apiKeysSuite, endpointsSuite, policiesSuite, intuneSuite, lifecycleSuite, operationsSuite, pagesSuite, tenantFileSuite]
