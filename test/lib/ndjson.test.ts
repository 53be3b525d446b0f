import {LineSplitter, LineTooLongError, ndjsonChunks} from '../../src/lib/ndjson.js'

describe('NDJSON helpers of the streamed import (issue 15)', () => {
  it('encodes items as compact lines in chunks of about the asked size', () => {
    const items = Array.from({length: 100}, (_, i) => ({name: `host-${i}`, tags: ['a', 'b']}))
    const chunks = [...ndjsonChunks(items, 200)]
    expect(chunks.length).toBeGreaterThan(10)
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(200)
    expect(chunks.every((c) => c.endsWith('\n'))).toBe(true)
    expect(chunks.join('').split('\n').slice(0, -1).map((l) => JSON.parse(l))).toEqual(items)
    expect([...ndjsonChunks([])]).toEqual([])
  })

  it('splits bytes into lines wherever the chunks break, multi-byte characters included', () => {
    const text = '{"n":"zürich-🖥"}\r\n\n{"n":"b"}\n{"n":"last"}'
    const bytes = Buffer.from(text)
    for (let size = 1; size <= bytes.length; size++) {
      const splitter = new LineSplitter()
      const lines: string[] = []
      for (let i = 0; i < bytes.length; i += size) lines.push(...splitter.push(bytes.subarray(i, i + size)))
      lines.push(...splitter.end())
      expect(lines).toEqual(['{"n":"zürich-🖥"}\r', '', '{"n":"b"}', '{"n":"last"}'])
      expect(splitter.line).toBe(4)
    }
  })

  it('refuses a line longer than its limit, naming the line, even before the line ends', () => {
    const complete = new LineSplitter(10)
    expect(complete.push(Buffer.from('short\nalso short\n'))).toEqual(['short', 'also short'])
    expect(() => complete.push(Buffer.from('0123456789A\n'))).toThrow(LineTooLongError)
    const unfinished = new LineSplitter(10)
    let error: unknown
    try {
      unfinished.push(Buffer.from('ok\n' + 'x'.repeat(11)))
    } catch (caught) {
      error = caught
    }

    expect(error).toMatchObject({line: 2, maxChars: 10})
  })
})
