import chalk from 'chalk'

/**
 * The colour theme. chalk 5 honours FORCE_COLOR and TTY detection but not NO_COLOR, so we
 * switch colour off here for NO_COLOR (any value), TERM=dumb, or a non-TTY stream.
 */
export function configureColour(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): boolean {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  const off = env.NO_COLOR !== undefined || env.TERM === 'dumb' || (!stdoutIsTty && !forced)
  if (off) chalk.level = 0
  return !off
}

export const style = {
  ok: (s: string) => chalk.green(s),
  warn: (s: string) => chalk.yellow(s),
  bad: (s: string) => chalk.red(s),
  dim: (s: string) => chalk.dim(s),
  bold: (s: string) => chalk.bold(s),
  id: (s: string) => chalk.cyan(s),
  onOff: (on: boolean) => (on ? chalk.green('on') : chalk.dim('off')),
}
