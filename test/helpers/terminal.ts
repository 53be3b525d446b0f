/** Pretends stdin/stdout are a terminal and CI is unset for the duration of fn, so prompts are allowed. */
export async function onTerminal<T>(fn: () => Promise<T>): Promise<T> {
  const saved = {stdin: process.stdin.isTTY, stdout: process.stdout.isTTY, ci: process.env.CI}
  process.stdin.isTTY = true
  process.stdout.isTTY = true
  delete process.env.CI
  try {
    return await fn()
  } finally {
    process.stdin.isTTY = saved.stdin
    process.stdout.isTTY = saved.stdout
    if (saved.ci !== undefined) process.env.CI = saved.ci
  }
}
