/**
 * The stable exit-code table of SPEC §3 (14: validate found drift), plus 15 for an incomplete installation (a native module
 * not built) and 130 for a user cancel. Documented in the README. The codes themselves are
 * carried by the core errors (core/errors.ts); this table names them for commands.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  auth: 5,
  unreachable: 6,
  invalidInput: 7,
  throttled: 8,
  stillRunning: 9,
  detectTimeout: 10,
  detectNotOnboarded: 11,
  detectSensorInactive: 12,
  detectBlocked: 13,
  drift: 14,
  installIncomplete: 15,
  cancelled: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
