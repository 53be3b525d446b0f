import {homedir} from 'node:os'
import {join} from 'node:path'

/**
 * Where atpctl keeps everything: `ATPCTL_HOME` if set (tests always set it), else
 * `$XDG_CONFIG_HOME/atpctl`, else `~/.config/atpctl`. Inside: `config.json` (profiles) and
 * `profiles/<name>/tenant.db` (the embedded backend of each profile).
 */
export function atpctlHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ATPCTL_HOME) return env.ATPCTL_HOME
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'atpctl')
}

export function profileDir(home: string, profile: string): string {
  return join(home, 'profiles', profile)
}

export function databasePath(home: string, profile: string): string {
  return join(profileDir(home, profile), 'tenant.db')
}
