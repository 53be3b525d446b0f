import {join} from 'node:path'
import {openDatabase} from '../../src/backends/local/database.js'
import {tempHome} from '../helpers/cli.js'

describe('prepared statement cache (serve throughput)', () => {
  it('reuses statements by SQL text without leaking pluck/raw modes between callers', async () => {
    const {home, cleanup} = tempHome()
    const db = await openDatabase(join(home, 't.db'))
    try {
      const sql = 'SELECT 1 AS a, 2 AS b'
      expect(db.prepare(sql)).toBe(db.prepare(sql))
      expect(db.prepare(sql).pluck().get()).toBe(1)
      expect(db.prepare(sql).get()).toEqual({a: 1, b: 2})
      expect(db.prepare(sql).raw(true).get()).toEqual([1, 2])
      expect(db.prepare(sql).all()).toEqual([{a: 1, b: 2}])
      db.exec('CREATE TABLE t (x INTEGER)')
      const insert = 'INSERT INTO t (x) VALUES (?)'
      for (let i = 0; i < 3; i++) db.prepare(insert).run(i)
      expect(db.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([0, 1, 2])
      expect(db.transaction(() => db.prepare('SELECT COUNT(*) AS n FROM t').get())()).toEqual({n: 3})
    } finally {
      db.close()
      cleanup()
    }
  })
})
