import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

/** API keys: secret once, hash only, unique names, revocation (issue 7); the same create again (issue 11 item 4). */
export const apiKeysSuite: ContractSuite = {
  name: 'api keys',
  define(get) {
    it('creates a key shown once, lists it without the secret, verifies and revokes it', async () => {
      const {backend} = get()
      const created = await backend.apiKeys.create({name: 'helpdesk', role: 'reader'})
      expect(created.changed).toBe(true)
      const key = {...created.key, secret: created.secret!}
      expect(key.secret).toMatch(/^atpk_[A-Za-z0-9_-]{43}$/)
      expect(key).toMatchObject({name: 'helpdesk', role: 'reader', status: 'active', expiresAt: null})
      const listed = (await backend.apiKeys.list()).items
      expect(listed.map((k) => k.name)).toContain('helpdesk')
      expect(JSON.stringify(listed)).not.toContain(key.secret)
      expect(await backend.apiKeys.verify(key.secret)).toMatchObject({valid: true, key: {id: key.id, role: 'reader'}})
      // The same create again: the existing key, no secret; another role: a conflict that says so.
      expect(await backend.apiKeys.create({name: 'helpdesk', role: 'reader'})).toEqual({key: expect.objectContaining({id: key.id}), secret: null, changed: false})
      await expectAtpError(backend.apiKeys.create({name: 'helpdesk', role: 'owner'}), {code: 'CONFLICT', exitCode: 4, message: /role is reader, the request says owner/})
      await expectAtpError(backend.apiKeys.create({name: 'helpdesk', role: 'reader', ttlMs: 60_000}), {code: 'CONFLICT', exitCode: 4, message: /validity/})
      await expectAtpError(backend.apiKeys.create({name: 'x', role: 'god' as never}), {code: 'USAGE', exitCode: 2})
      await expectAtpError(backend.apiKeys.create({name: 'bad name!', role: 'reader'}), {code: 'USAGE', exitCode: 2})
      expect(await backend.apiKeys.revoke('helpdesk')).toMatchObject({key: {status: 'revoked'}, changed: true})
      expect(await backend.apiKeys.revoke('helpdesk')).toMatchObject({key: {status: 'revoked'}, changed: false})
      // A revoked key is never the same create: it grants nothing.
      await expectAtpError(backend.apiKeys.create({name: 'helpdesk', role: 'reader'}), {code: 'CONFLICT', exitCode: 4, message: /status is revoked/})
      expect(await backend.apiKeys.verify(key.secret)).toMatchObject({valid: false})
      await expectAtpError(backend.apiKeys.revoke('nobody'), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('expires keys created with a validity', async () => {
      const {key} = await get().backend.apiKeys.create({name: 'short', role: 'reader', ttlMs: 60_000})
      expect(Date.parse(key.expiresAt!) - Date.parse(key.createdAt)).toBe(60_000)
      expect((await get().backend.apiKeys.create({name: 'short', role: 'reader', ttlMs: 60_000})).changed).toBe(false)
    })
  },
}
