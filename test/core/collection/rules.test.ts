import {parseRule} from '../../../src/core/collection/rules.js'

function refusal(text: string): {message: string; exitCode: number; suggestions: string[]} {
  try {
    parseRule(text)
  } catch (error) {
    return error as {message: string; exitCode: number; suggestions: string[]}
  }

  throw new Error(`'${text}' was accepted`)
}

describe('collection rules refuse operators they do not have', () => {
  it.each([
    ['family==windows', '==', '='],
    ['os=~Server', '=~', '~'],
    ['build=>14393', '=>', '>='],
    ['build=<14393', '=<', '<='],
    ['level<>down-level', '<>', '!='],
    ['family===windows', '===', '='],
  ])('%s: unknown operator %s, did you mean `%s`? (exit 2)', (text, op, meant) => {
    const error = refusal(text)
    expect(error.exitCode).toBe(2)
    expect(error.message).toBe(`Unknown operator '${op}' in rule '${text}'.`)
    expect(error.suggestions[0]).toMatch(new RegExp(`^Did you mean \`${meant.replace(/[<>=!~]/g, '\\$&')}\`\\? Operators: `))
  })

  it('an operator run without a known meaning lists the operators', () => {
    expect(refusal('build>>1').suggestions[0]).toBe('Operators: >= <= != !~ = > < ~ (~ contains, !~ does not contain).')
  })

  it('the operators it has still parse, and a quoted value may start with one', () => {
    expect(parseRule('family=windows').conditions).toEqual([{field: 'family', op: '=', value: 'windows'}])
    expect(parseRule('build >= 14393 and os !~ Server').conditions).toEqual([
      {field: 'build', op: '>=', value: 14393},
      {field: 'os', op: '!~', value: 'Server'},
    ])
    expect(parseRule('name="=odd"').conditions).toEqual([{field: 'name', op: '=', value: '=odd'}])
  })
})
