/** Masks a secret for display: a short prefix and the last 4 characters (STYLE §4.7). */
export function maskSecret(secret: string): string {
  if (secret.length <= 12) return '••••'
  const underscore = secret.indexOf('_')
  const prefix = underscore > 0 && underscore <= 6 ? secret.slice(0, underscore + 1) : secret.slice(0, 4)
  return `${prefix}…${secret.slice(-4)}`
}
