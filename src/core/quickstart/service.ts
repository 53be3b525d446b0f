import type {Backend} from '../port/types.js'
import type {Location} from '../tenant/model.js'
import {QUICKSTART_STEPS} from './steps.js'
import type {QuickstartStep, QuickstartStepResult} from './types.js'

export interface QuickstartResult {
  profile: string
  steps: ({id: string; title: string; command: string} & QuickstartStepResult)[]
}

/** Runs every step in order, reporting each as it finishes; the first failure stops the walk. */
export async function runQuickstart(
  backend: Backend,
  options: {profile: string; location: Location; workDir: string; onStep?: (step: QuickstartStep, index: number, result: QuickstartStepResult) => void},
): Promise<QuickstartResult> {
  const context = {backend, profile: options.profile, location: options.location, workDir: options.workDir, shared: {}}
  const steps: QuickstartResult['steps'] = []
  for (const [index, step] of QUICKSTART_STEPS.entries()) {
    const result = await step.run(context)
    steps.push({id: step.id, title: step.title, command: step.command, ...result})
    options.onStep?.(step, index, result)
  }

  return {profile: options.profile, steps}
}
