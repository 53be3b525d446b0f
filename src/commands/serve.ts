import {Flags} from '@oclif/core'
import {createWriteStream} from 'node:fs'
import {AdminCommand} from '../base/command.js'
import {capabilitiesOf} from '../backends/resolve.js'
import {requireCapability} from '../core/capabilities.js'
import {parseDuration} from '../core/duration.js'
import {DEFAULT_AUTH_FAILURE_LIMIT} from '../core/rbac/auth-failures.js'
import {databasePath} from '../lib/paths.js'
import {readTlsPair} from '../lib/tls-files.js'
import {DEFAULT_IMPORT_LIMIT} from '../server/upload.js'

export interface ServeResult {
  url: string
  stoppedBy: string
}

export default class Serve extends AdminCommand<ServeResult> {
  static override summary = "Serve the profile's embedded tenant over HTTP for a team: admins, CI runners and sensors."
  static override description = `Runs the /v1 JSON API over this profile's embedded backend until SIGTERM or Ctrl-C, then
finishes the requests in flight and stops within --shutdown-grace; sensor events it did not
process by then wait in its spool for the next start. Admins authenticate with API keys
(atpctl apikey create --role ...), third-party sensors with provider tokens (atpctl token
mint). One JSON access-log line per request goes to stderr (or --access-log); it never
contains a secret.`

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --host 0.0.0.0 --port 8443 --tls-cert server.crt --tls-key server.key',
    '<%= config.bin %> <%= command.id %> --port 0 --access-log access.jsonl --rate-limit 600 --sensor-rate-limit 60000',
  ]

  static override flags = {
    host: Flags.string({description: 'Address to listen on.', default: '127.0.0.1'}),
    port: Flags.integer({description: 'Port to listen on (0 picks a free one).', default: 8443, min: 0, max: 65_535}),
    'tls-cert': Flags.string({description: 'PEM certificate for HTTPS (with --tls-key).', dependsOn: ['tls-key']}),
    'tls-key': Flags.string({description: 'PEM private key for HTTPS (with --tls-cert).', dependsOn: ['tls-cert']}),
    'body-limit': Flags.integer({description: 'Largest accepted request body in KiB.', default: 4096, min: 1}),
    'import-limit': Flags.integer({description: 'Largest streamed device import (NDJSON body) in MiB.', default: DEFAULT_IMPORT_LIMIT / 1024 / 1024, min: 1}),
    'rate-limit': Flags.integer({description: 'Requests per minute per API key (0 turns the limit off).', default: 3000, min: 0}),
    'sensor-rate-limit': Flags.integer({description: "Requests per minute per sensor token, shared by the provider's fleet (0 turns the limit off).", default: 120_000, min: 0}),
    'auth-failure-limit': Flags.integer({
      description: 'Failed authentications per minute per client address before it gets 429 until the minute ends (0 turns the limit off).',
      default: DEFAULT_AUTH_FAILURE_LIMIT,
      min: 0,
    }),
    'access-log': Flags.string({description: 'Append the JSON access log to this file instead of stderr.'}),
    'shutdown-grace': Flags.string({
      description: 'How long SIGTERM may take: requests in flight get half of it, then the event spool is processed until it ends; what is left waits in the spool for the next start.',
      default: '10s',
    }),
  }

  async run(): Promise<ServeResult> {
    const {flags} = await this.parse(Serve)
    requireCapability(await capabilitiesOf(this.profile()), 'serve')

    // Wrong or swapped TLS files are refused before anything listens (exit 7 naming the file).
    if (flags['tls-cert'] && flags['tls-key']) readTlsPair(flags['tls-cert'], flags['tls-key'])
    const shutdownGraceMs = parseDuration(flags['shutdown-grace'], '--shutdown-grace')
    const log = flags['access-log'] ? createWriteStream(flags['access-log'], {flags: 'a', mode: 0o600}) : undefined
    const write = (line: string) => (log ? log.write(line) : process.stderr.write(line))
    const [{startServer}, {jsonLineLogger}] = await Promise.all([import('../server/run.js'), import('../server/access-log.js')])
    const server = await startServer({
      databasePath: databasePath(this.home, this.profileName),
      profile: this.profileName,
      host: flags.host,
      port: flags.port,
      tlsCertFile: flags['tls-cert'],
      tlsKeyFile: flags['tls-key'],
      bodyLimit: flags['body-limit'] * 1024,
      importLimit: flags['import-limit'] * 1024 * 1024,
      rateLimit: flags['rate-limit'],
      sensorRateLimit: flags['sensor-rate-limit'],
      authFailureLimit: flags['auth-failure-limit'],
      accessLog: jsonLineLogger(write),
      errorLog: (message) => process.stderr.write(`atpctl serve: ${message}\n`),
      version: this.config.version,
      shutdownGraceMs,
    })
    process.stderr.write(`atpctl serve: listening on ${server.url} (profile ${this.profileName}); stop with Ctrl-C or SIGTERM\n`)
    if (!flags['tls-cert'] && !isLoopbackHost(flags.host)) {
      process.stderr.write(
        `atpctl serve: warning: listening on ${flags.host} without TLS: API keys, sensor tokens and tenant secrets cross the network in cleartext. ` +
          'Pass --tls-cert and --tls-key (a self-signed pair is fine; clients pass it with --ca-file), or listen on 127.0.0.1 behind a TLS proxy.\n',
      )
    }
    const stoppedBy = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'))
      process.once('SIGINT', () => resolve('SIGINT'))
    })
    process.stderr.write(`atpctl serve: ${stoppedBy}: finishing requests in flight\n`)
    await server.close()
    await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()))
    process.stderr.write('atpctl serve: stopped\n')
    return {url: server.url, stoppedBy}
  }
}

/** True for addresses that only this machine can reach, where cleartext HTTP exposes nothing. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare)
}
