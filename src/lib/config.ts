import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {type AtpctlConfig, emptyConfig} from '../core/profile.js'
import {InvalidInputError} from '../core/errors.js'

export function configPath(home: string): string {
  return join(home, 'config.json')
}

/**
 * Reads the profiles file. Reading is plain JSON on purpose: every command needs it, and
 * loading `conf` costs ~170 ms of startup; writes go through conf (atomic, owner-only).
 */
export function readConfig(home: string): AtpctlConfig {
  const path = configPath(home)
  if (!existsSync(path)) return emptyConfig()
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<AtpctlConfig>
    return {...emptyConfig(), ...parsed, profiles: parsed.profiles ?? {}}
  } catch (error) {
    throw new InvalidInputError(`The configuration file ${path} is not valid JSON: ${(error as Error).message}`, {
      suggestions: ['Fix or remove the file; profiles are recreated by `atpctl init`.'],
    })
  }
}

/** Applies `change` to the stored configuration and writes it atomically with mode 0600. */
export async function updateConfig(home: string, change: (config: AtpctlConfig) => void): Promise<AtpctlConfig> {
  const {default: Conf} = await import('conf')
  const store = new Conf<AtpctlConfig>({
    cwd: home,
    configName: 'config',
    configFileMode: 0o600,
    defaults: emptyConfig(),
    clearInvalidConfig: false,
  })
  const config = {...emptyConfig(), ...store.store}
  change(config)
  store.store = config
  return config
}
