import {Flags} from '@oclif/core'
import {chmodSync, renameSync, writeFileSync} from 'node:fs'
import {AdminCommand} from '../../base/command.js'
import type {CreatedApiKey} from '../../core/apikey/rules.js'
import {createApiKey} from '../../core/apikey/service.js'
import {parseDuration} from '../../core/duration.js'
import {ROLES} from '../../core/rbac/roles.js'
import {presentApiKey} from '../../ui/present/apikey.js'
import {style} from '../../ui/style.js'

export interface ApiKeyCreateResult {
  key: Omit<CreatedApiKey, 'secret'> & {secret?: string}
  /** Where the secret was written with --out (0600), else null. */
  secretFile: string | null
  /** False for the same create again: the key exists as asked (and `key` has no secret). */
  changed: boolean
}

// Rules (SPEC): DC6.
export default class ApikeyCreate extends AdminCommand<ApiKeyCreateResult> {
  static override summary = 'Create an API key for `atpctl serve` with a role; the key is shown once and only its hash is stored.'
  static override description = `Roles: owner (everything, incl. API keys), security-admin (integrations, tokens,
alerts, endpoints), security-reader and reader (view, incl. alerts), endpoint-protection-manager
(devices, collections, policies, packages). With --out the key goes to an owner-only file
instead of the screen; give that file to \`atpctl init --remote URL --api-key-file FILE\`.
The same create again (name, role and --ttl as before, key not revoked) exits 0 with
changed: false and no key (it is never shown twice); another role or validity is a conflict (exit 4).`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --name ci-runner --role security-admin --out ci.key',
    '<%= config.bin %> <%= command.id %> --name helpdesk --role reader --ttl 90d',
    '<%= config.bin %> <%= command.id %> --name alice --role owner --json',
  ]

  static override flags = {
    name: Flags.string({description: 'Who or what uses the key; appears in the audit log.', required: true}),
    role: Flags.string({description: 'Role of the key.', options: [...ROLES], required: true}),
    ttl: Flags.string({description: 'Validity, e.g. 90d (default: until revoked; at most 366d).'}),
    out: Flags.string({description: 'Write the key to this file (mode 0600) instead of printing it.'}),
  }

  async run(): Promise<ApiKeyCreateResult> {
    const {flags} = await this.parse(ApikeyCreate)
    const ttlMs = flags.ttl ? parseDuration(flags.ttl, '--ttl') : undefined
    const outcome = await createApiKey(await this.backend(), {name: flags.name, role: flags.role, ttlMs})
    if (!outcome.changed) {
      // The same create again: the key exists as asked, and its secret cannot be shown again.
      this.log(`API key '${outcome.key.name}' already exists; unchanged.`)
      this.present(() => presentApiKey(outcome.key))
      this.note(style.dim(`Its key was shown only when it was created${flags.out ? `; ${flags.out} was not written` : ''}. For a new one: atpctl apikey revoke ${outcome.key.name}, then create it under another --name.`))
      return {key: outcome.key, secretFile: null, changed: false}
    }

    const key = {...outcome.key, secret: outcome.secret}
    const {out} = flags
    if (out) {
      const temp = `${out}.${process.pid}.tmp`
      writeFileSync(temp, key.secret + '\n', {mode: 0o600})
      chmodSync(temp, 0o600)
      renameSync(temp, out)
      this.present(() => presentApiKey(key, ['Key file', out]))
      return {key: outcome.key, secretFile: out, changed: true}
    }

    this.present(() => presentApiKey(key, ['Key', key.secret]))
    this.note(style.warn('This is the only time the key is shown; only its hash is stored. Save it now (or use --out FILE).'))
    return {key, secretFile: null, changed: true}
  }
}
