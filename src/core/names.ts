/**
 * The one rule for names a backend stores (issue 15 items 3/4, issue 16): device, user,
 * collection, group, policy, profile and configuration names. A name is refused when it is
 * empty, longer than its documented limit, or holds a control character: C0 (U+0000–U+001F,
 * ESC among them), DEL, C1 (U+0080–U+009F), the bidirectional formatting characters (U+061C,
 * U+200E/U+200F, U+202A–U+202E, U+2066–U+2069) or the line/paragraph separators (U+2028/U+2029).
 * Those would rewrite a terminal or reorder what an admin reads. Messages never carry the raw
 * character: `escapeName` shows each as `\x1b` / `\u202e`.
 *
 * Names are compared case-insensitively for every script, not only ASCII: `nameKey` (NFC, then
 * toLowerCase) is the key of uniqueness and lookup, in the core duplicate check and in the
 * SQLite `name_key` columns alike.
 */
import {UsageError} from './errors.js'

/** Characters no stored name may hold (see the module comment). */
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/
const CONTROL_ALL = new RegExp(CONTROL.source, 'g')

export interface NameRule {
  /** What the name names, for messages: "device name", "group name". */
  label: string
  /** Longest accepted name, in characters (UTF-16 code units, as JavaScript and SQLite count them). */
  max: number
  /** Refuse ';' and '|': the name is stored in, or split from, a ';'/'|'-separated list. */
  noSeparators?: boolean
  /** Names that mean something else (compared by nameKey). */
  reserved?: readonly string[]
  /** Why a reserved name is reserved, for the message. */
  reservedWhy?: string
}

/**
 * The documented limits (README, "Names"). Device names: 255 characters, as ConfigMgr and
 * Active Directory allow; the others match what the schema of each resource always allowed.
 */
export const NAME_RULES = {
  device: {label: 'device name', max: 255, noSeparators: true},
  user: {label: 'user name', max: 256},
  collection: {label: 'collection name', max: 128, noSeparators: true},
  group: {label: 'group name', max: 256, noSeparators: true, reserved: ['all'], reservedWhy: "'all' is reserved for all users / all devices"},
  policy: {label: 'policy name', max: 128},
  accessPolicy: {label: 'policy name', max: 256},
  edrProfile: {label: 'EDR profile name', max: 256},
  compliancePolicy: {label: 'compliance policy name', max: 256},
  appConfig: {label: 'app configuration name', max: 256},
  apiKey: {label: 'API key name', max: 64},
  subscription: {label: 'subscription id', max: 128, noSeparators: true},
  description: {label: 'description', max: 4096},
  osText: {label: 'OS', max: 255},
  appName: {label: 'cloud app name', max: 256},
  fileName: {label: 'file name', max: 512},
  osVersion: {label: 'OS version', max: 64},
} as const satisfies Record<string, NameRule>

/** Shows control characters as escapes (`\x1b`, `\u202e`) so a message never carries them raw. */
export function escapeName(text: string): string {
  return text.replace(CONTROL_ALL, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/** Whether the text holds a character no stored name (or other stored text) may hold. */
export const hasControlCharacters = (text: string): boolean => CONTROL.test(text)

/** A long name shown in a message: its start, escaped, with the length said. */
function shown(name: string): string {
  const escaped = escapeName(name)
  return escaped.length > 60 ? `${escaped.slice(0, 40)}…` : escaped
}

/**
 * What is wrong with a name under its rule, as a sentence fragment ("the device name 'a\x1b'
 * holds a control character (\x1b)"), or null when it is acceptable. `name` is taken as given:
 * callers trim first where surrounding spaces are not part of the name.
 */
export function nameProblem(name: string, rule: NameRule): string | null {
  if (name.trim() === '') return `the ${rule.label} is empty`
  const bad = name.match(CONTROL_ALL)
  if (bad) {
    const chars = [...new Set(bad)].map(escapeName).join(', ')
    return `the ${rule.label} '${shown(name)}' holds control or bidirectional formatting characters (${chars}); names may not contain them`
  }

  if (name.length > rule.max) return `the ${rule.label} '${shown(name)}' is ${name.length} characters long; the limit is ${rule.max}`
  if (rule.noSeparators && /[;|]/.test(name)) return `the ${rule.label} '${shown(name)}' contains ';' or '|', which separate list items`
  if (rule.reserved?.some((r) => nameKey(r) === nameKey(name.trim()))) return `'${shown(name)}' cannot be a ${rule.label}: ${rule.reservedWhy ?? 'it is reserved'}`
  return null
}

/** The key of uniqueness and lookup: NFC, then lower case (for every script, not only ASCII). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase()
}

/** Does `name` start with `prefix`, compared by their name keys (`device list --name`)? */
export function hasNamePrefix(name: string, prefix: string): boolean {
  return nameKey(name).startsWith(nameKey(prefix))
}

/** Capitalises a fragment for use as a sentence. */
export const sentence = (fragment: string): string => fragment.charAt(0).toUpperCase() + fragment.slice(1) + (fragment.endsWith('.') ? '' : '.')

/** How to write a name under its rule, for "Try this". */
export function nameHint(rule: NameRule): string {
  const without = ['control characters', ...(rule.noSeparators ? ["';' or '|'"] : [])].join(' or ')
  return `Use 1 to ${rule.max} characters without ${without}.`
}

/**
 * The name, trimmed, when its rule accepts it; a usage error (exit 2) saying what is wrong
 * otherwise. Every backend calls this for every name it stores, whoever the caller is.
 */
export function requireName(name: string, rule: NameRule, suggestions: string[] = []): string {
  const trimmed = name.trim()
  const problem = nameProblem(trimmed, rule)
  if (problem) throw new UsageError(sentence(problem), {suggestions: [nameHint(rule), ...suggestions]})
  return trimmed
}

/** Optional free text (a description): null stays null; control characters are refused. */
export function optionalText(text: string | null | undefined, rule: NameRule): string | null {
  if (text === undefined || text === null || text.trim() === '') return null
  return requireName(text, rule)
}

/**
 * Lower-cases ASCII letters only, as SQLite's lower() and NOCASE do. The rules the embedded
 * backend also runs set-based in SQL (collection rules, compliance assignments) fold case this
 * way in TypeScript too, so both paths decide alike (their differential tests pin it).
 */
export const foldAscii = (s: string): string => s.replace(/[A-Z]+/g, (c) => c.toLowerCase())

/** Orders names as the database's NOCASE collation does: ASCII letters folded, then by code point. */
export function compareNoCase(a: string, b: string): number {
  const x = [...foldAscii(a)]
  const y = [...foldAscii(b)]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!
    if (d !== 0) return d
  }

  return x.length - y.length
}
