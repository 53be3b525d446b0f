import {detectionSteps} from './detection-steps.js'
import {devicesSteps} from './devices-steps.js'
import {foundationSteps} from './foundation-steps.js'
import {intuneSteps} from './intune-steps.js'
import {packagesSteps} from './packages-steps.js'
import type {QuickstartStep} from './types.js'

/** The whole walk-through, in order. Each capability appends its steps here as it lands. */
export const QUICKSTART_STEPS: QuickstartStep[] = [...foundationSteps, ...packagesSteps, ...devicesSteps, ...detectionSteps, ...intuneSteps]
