/** Asserts a promise rejects with a core error of this code and exit code (matched by value, never instanceof). */
export async function expectAtpError(promise: Promise<unknown>, expected: {code?: string; exitCode: number; message?: RegExp}): Promise<void> {
  let error: unknown
  try {
    await promise
  } catch (caught) {
    error = caught
  }

  expect(error).toBeDefined()
  const e = error as {code?: string; exitCode?: number; message?: string; isAtpError?: boolean}
  expect(e.isAtpError).toBe(true)
  expect({code: expected.code ?? e.code, exitCode: e.exitCode}).toEqual({code: e.code, exitCode: expected.exitCode})
  if (expected.code) expect(e.code).toBe(expected.code)
  if (expected.message) expect(e.message).toMatch(expected.message)
}
