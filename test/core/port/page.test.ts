import {decodeCursor, encodeCursor, listAll, listPages, type Page, type PageRequest, pageFromRows, pageLimit, pagedArray} from '../../../src/core/port/page.js'

/** A list of `n` items served in pages of at most `max` (and sometimes fewer, as a backend may), with the requests it saw. */
function fakeList(n: number, options: {max?: number; short?: boolean} = {}) {
  const items = Array.from({length: n}, (_, i) => `item-${String(i).padStart(4, '0')}`)
  const requests: PageRequest[] = []
  const fetch = async (request: PageRequest): Promise<Page<string>> => {
    requests.push(request)
    const after = request.cursor === undefined ? -1 : Number(decodeCursor('fake', request.cursor, ['number'])[0])
    // A short page: one item less than asked, as a backend whose scan budget ran out answers.
    const limit = Math.min(request.limit ?? 100, options.max ?? 100) - (options.short && request.limit! > 1 ? 1 : 0)
    const rows = items.map((item, index) => ({item, index})).filter((r) => r.index > after).slice(0, limit + 1)
    return pageFromRows(rows, limit, 'fake', (r) => [r.index], (r) => r.item)
  }

  return {items, fetch, requests}
}

describe('cursors', () => {
  it('round-trip a keyset position, base64url, and name their list', () => {
    const cursor = encodeCursor('devices', ['Émile-01', 42])
    expect(cursor).toMatch(/^[\w-]+$/)
    expect(decodeCursor('devices', cursor, ['string', 'number'])).toEqual(['Émile-01', 42])
  })

  it.each([
    ['not base64url', 'abc def'],
    ['empty', ''],
    ['not JSON', Buffer.from('{{').toString('base64url')],
    ['another list', encodeCursor('alerts', ['x'])],
    ['another shape', encodeCursor('devices', [1])],
    ['too many parts', encodeCursor('devices', ['x', 'y'])],
    ['too long', 'a'.repeat(5000)],
  ])('refuse a cursor that is %s: usage error (exit 2) saying to start again', (_what, cursor) => {
    let error: unknown
    try {
      decodeCursor('devices', cursor, ['string'])
    } catch (caught) {
      error = caught
    }

    expect(error).toMatchObject({code: 'USAGE', exitCode: 2, suggestions: ['Start the listing again without a cursor.']})
  })

  it('a page limit is a whole number of at least 1, capped at the backend maximum', () => {
    expect(pageLimit(undefined, 500)).toBe(500)
    expect(pageLimit(20, 500)).toBe(20)
    expect(pageLimit(5000, 500)).toBe(500)
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => pageLimit(bad, 500)).toThrow(expect.objectContaining({exitCode: 2}))
  })
})

describe('listPages: every page, up to a limit', () => {
  it('yields every item once, in order, asking page after page', async () => {
    const list = fakeList(2500, {max: 1000})
    const seen = await listAll(list.fetch)
    expect(seen).toEqual(list.items)
    expect(list.requests.map((r) => r.limit)).toEqual([1000, 1000, 1000])
  })

  it('stops at the limit, asks no more than it needs, and says when more exist', async () => {
    const list = fakeList(2500, {max: 1000})
    const paged = await listPages(list.fetch, {limit: 1200})
    expect(await paged.toArray()).toEqual(list.items.slice(0, 1200))
    expect(paged.more).toBe(true)
    expect(list.requests.map((r) => r.limit)).toEqual([1000, 200])
    const exact = await listPages(fakeList(1200).fetch, {limit: 1200})
    expect((await exact.toArray()).length).toBe(1200)
    expect(exact.more).toBe(false)
    const fewer = await listPages(fakeList(3).fetch, {limit: 10})
    expect(await fewer.toArray()).toHaveLength(3)
    expect(fewer.more).toBe(false)
  })

  it('follows a backend that answers fewer than asked, even an empty page with a cursor', async () => {
    const list = fakeList(50, {short: true})
    expect(await listAll(list.fetch, {pageSize: 10})).toEqual(list.items)
    let calls = 0
    const gaps = async (request: PageRequest): Promise<Page<number>> => {
      calls++
      if (request.cursor === undefined) return {items: [], nextCursor: encodeCursor('gaps', [1])}
      return {items: [1, 2], nextCursor: null}
    }

    expect(await listAll(gaps)).toEqual([1, 2])
    expect(calls).toBe(2)
  })

  it('fetches the first page before it returns, so a bad request fails before any output', async () => {
    const failing = async (): Promise<Page<string>> => {
      throw Object.assign(new Error('no such collection'), {exitCode: 3})
    }

    await expect(listPages(failing)).rejects.toThrow('no such collection')
    await expect(listPages(fakeList(3).fetch, {limit: 0})).rejects.toMatchObject({exitCode: 2})
  })

  it('holds one page at a time', async () => {
    const list = fakeList(3000, {max: 100})
    let fetched = 0
    const counting = async (request: PageRequest) => {
      const page = await list.fetch(request)
      fetched += page.items.length
      return page
    }

    let consumed = 0
    for await (const _item of await listPages(counting, {pageSize: 100})) {
      consumed++
      expect(fetched - consumed).toBeLessThan(100)
    }

    expect(consumed).toBe(3000)
  })

  it('pagedArray: an in-memory list with the same interface', async () => {
    const cut = pagedArray([1, 2, 3], 2)
    expect(await cut.toArray()).toEqual([1, 2])
    expect(cut.more).toBe(true)
    expect(pagedArray([1, 2], undefined, true).more).toBe(true)
  })
})
