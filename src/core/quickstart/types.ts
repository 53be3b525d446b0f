import type {Backend} from '../port/types.js'
import type {Location} from '../tenant/model.js'

/** What every quickstart step gets. */
export interface QuickstartContext {
  backend: Backend
  profile: string
  location: Location
  /** A directory the walk-through may write files to (packages, inventories). */
  workDir: string
  /** Values earlier steps hand to later ones (e.g. a device name). */
  shared: Record<string, unknown>
}

export interface QuickstartStepResult {
  /** One line saying what happened. */
  summary: string
  /** Details for --json; never a secret. */
  data?: unknown
  /** Extra human lines shown under the summary. */
  details?: string[]
}

/** One step of the walk-through: what it does, why, and the command a user would type. */
export interface QuickstartStep {
  id: string
  title: string
  why: string
  command: string
  run(context: QuickstartContext): Promise<QuickstartStepResult>
}
