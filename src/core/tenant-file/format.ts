/**
 * The text of an exported `atpctl.yaml`: a schema line editors read, a short header, then the
 * document as block YAML (keys in the document's order, lists as exported: sorted by name).
 */
import {stringify} from 'yaml'
import type {TenantDocument} from './document.js'
import {DEFAULT_SCHEMA_FILE} from './schema.js'

/** The YAML text of a document. `schemaRef` is what the `$schema=` line points at (a path relative to the file, or a URL). */
export function formatTenantFile(document: TenantDocument, options: {schemaRef?: string; source?: string} = {}): string {
  const header = [
    `# yaml-language-server: $schema=${options.schemaRef ?? DEFAULT_SCHEMA_FILE}`,
    `# atpctl tenant set-up${options.source ? ` exported from ${options.source}` : ''}. Review it, then: atpctl plan -f <this file>`,
    '# Secrets are references: set the environment variables and files named below before apply.',
  ]
  return `${header.join('\n')}\n${stringify(document, {lineWidth: 0, indentSeq: true, nullStr: 'null'})}`
}
