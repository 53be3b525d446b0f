/**
 * How `apply` reads the secrets an atpctl.yaml references (issue 14, T2): environment variables,
 * and files relative to the YAML file's folder (stdin: the current folder). Core resolves the
 * references through this reader and never touches the environment or the disk itself.
 */
import {readFile} from 'node:fs/promises'
import {dirname, isAbsolute, resolve} from 'node:path'
import type {SecretReader} from '../core/tenant-file/apply.js'

export function secretReader(yamlFile: string, env: NodeJS.ProcessEnv = process.env): SecretReader {
  const base = yamlFile === '-' ? process.cwd() : dirname(resolve(yamlFile))
  return {
    env: (name) => env[name],
    path: (file) => (isAbsolute(file) ? file : resolve(base, file)),
    async read(path) {
      try {
        return await readFile(path)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null
        throw error
      }
    },
  }
}
