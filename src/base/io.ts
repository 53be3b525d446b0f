/** Facts about the terminal, computed once per command (STYLE §4.3, §4.6). */
export interface IoContext {
  json: boolean
  stdinTty: boolean
  stdoutTty: boolean
  stderrTty: boolean
  /** --no-input, CI, or ATPCTL_NO_INPUT: never prompt even on a terminal. */
  noInput: boolean
  /** gh's rule plus JSON and CI: stdin and stdout are terminals and prompting is allowed. */
  canPrompt: boolean
  colour: boolean
}

export function computeIo(options: {json: boolean; noInputFlag: boolean; env: NodeJS.ProcessEnv; colour: boolean}): IoContext {
  const stdinTty = Boolean(process.stdin.isTTY)
  const stdoutTty = Boolean(process.stdout.isTTY)
  const stderrTty = Boolean(process.stderr.isTTY)
  const ciValue = options.env.CI
  const ci = ciValue !== undefined && ciValue !== '' && ciValue !== '0' && ciValue.toLowerCase() !== 'false'
  const noInput = options.noInputFlag || ci || Boolean(options.env.ATPCTL_NO_INPUT)
  return {
    json: options.json,
    stdinTty,
    stdoutTty,
    stderrTty,
    noInput,
    canPrompt: stdinTty && stdoutTty && !noInput && !options.json,
    colour: options.colour,
  }
}
