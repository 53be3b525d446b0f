/**
 * Human output is text that reaches a terminal, and much of it comes from outside: device and
 * user names from an inventory, zip entry names, server messages. A control character (ESC
 * sequences clear the screen, move the cursor, set the title or write hyperlinks; C1 codes do
 * the same in one byte) or a bidirectional override (U+202E shows "exe.txt" as "txt.exe") is
 * shown escaped instead, as `\x1b` or `\u202e`. This is the one place that decides it: the base
 * command passes every human line (tables, presenters, notes, errors and their "Try this"
 * lines) through `terminalSafe`. JSON output does not come here: JSON escapes control characters
 * itself.
 */

// C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates,
// the directional marks, and the line/paragraph separators that break a line unseen.
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g

// The colour sequences atpctl's own theme (src/ui/style.ts, through chalk) writes: reset, bold,
// dim, normal intensity, red, green, yellow, cyan, default colour. Only these pass when colour
// is on; a sequence that moves the cursor, clears, hides text or sets a title never does.
const THEME_SGR = /\u001B\[(?:0|1|2|22|31|32|33|36|39)m/y

function escape(ch: string): string {
  const code = ch.codePointAt(0)!
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Escapes the characters above. Newlines and tabs stay (output has lines); with `colour` the
 * theme's own colour sequences stay too, so colour works while hostile escapes do not.
 */
export function terminalSafe(text: string, options: {colour?: boolean} = {}): string {
  UNSAFE.lastIndex = 0
  if (!UNSAFE.test(text)) return text
  return text.replace(UNSAFE, (ch, offset: number) => {
    if (options.colour && ch === '\u001B') {
      THEME_SGR.lastIndex = offset
      if (THEME_SGR.test(text)) return ch
    }

    return escape(ch)
  })
}

/** One line of a table cell or a field value: like terminalSafe, and a newline or tab is escaped too. */
export function singleLine(text: string): string {
  return text.replace(/[\n\t]/g, escape)
}
