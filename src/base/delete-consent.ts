import {isInUseRefusal} from '../core/intune/lifecycle.js'

type Confirm = (message: string, options: {yes: boolean; what: string}) => Promise<void>

/**
 * A delete that asks when the thing is in use (issue 11 item 8). The backend decides whether it
 * is in use and refuses without `force` (REFUSED_IN_USE, naming what it affects), so nothing is
 * checked here that could change before the delete: with --yes the delete is forced at once;
 * otherwise it is tried unforced, and on that refusal the user is asked (exit 2 naming --yes
 * without a terminal) and it is tried again, forced.
 */
export async function deleteWithConsent<T>(options: {yes: boolean; what: string; confirm: Confirm; attempt: (force: boolean) => Promise<T>}): Promise<T> {
  if (options.yes) return options.attempt(true)
  try {
    return await options.attempt(false)
  } catch (error) {
    if (!isInUseRefusal(error)) throw error
    const affects = error.details?.affects ?? []
    await options.confirm(`${error.message} Delete it anyway?`, {yes: false, what: `${options.what}, which is in use (${affects.join('; ')})`})
    return options.attempt(true)
  }
}
