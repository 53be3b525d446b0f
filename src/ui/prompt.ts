/**
 * The only door to @inquirer/prompts. Callers check `canPrompt` first (the base command does);
 * this wrapper exists so tests can replace prompting without mocking inquirer itself.
 */
export interface Prompter {
  confirm(message: string, defaultValue?: boolean): Promise<boolean>
  select<T extends string>(message: string, choices: {value: T; name?: string; description?: string}[], defaultValue?: T): Promise<T>
  input(message: string, options?: {defaultValue?: string; validate?: (value: string) => true | string}): Promise<string>
  password(message: string): Promise<string>
}

export const inquirerPrompter: Prompter = {
  async confirm(message, defaultValue = false) {
    const {confirm} = await import('@inquirer/prompts')
    return confirm({message, default: defaultValue}, {output: process.stderr})
  },
  async select(message, choices, defaultValue) {
    const {select} = await import('@inquirer/prompts')
    return select({message, choices, default: defaultValue}, {output: process.stderr})
  },
  async input(message, options = {}) {
    const {input} = await import('@inquirer/prompts')
    return input({message, default: options.defaultValue, validate: options.validate}, {output: process.stderr})
  },
  async password(message) {
    const {password} = await import('@inquirer/prompts')
    return password({message, mask: '•'}, {output: process.stderr})
  },
}
