import type {Migration} from './index.js'

/**
 * Issue 16: names are unique and looked up case-insensitively for every script, not only ASCII
 * (SQLite's NOCASE folds A–Z only, so 'ÄLPHA-01' and 'älpha-01' were two devices). Devices,
 * collections and groups get a `name_key` column, nameKey() of src/core/names.ts (NFC, then
 * lower case), written by the backend with every name and unique. `atpctl_name_key` is that
 * function, registered on every connection before migrations run (database.ts); it is used here
 * only to fill the column for existing rows. Rows that already collide (created before this
 * step) keep their data: the first keeps the key, later ones get "<key> U+001F <id>", which no
 * name can equal (names hold no control characters), so nothing is lost and the index holds.
 * The inventory's lower-cased collection lists are re-keyed the same way.
 */
export const nameKeys: Migration = {
  version: 7,
  name: 'name-keys',
  sql: `
    ALTER TABLE device ADD COLUMN name_key TEXT;
    UPDATE device SET name_key = atpctl_name_key(name), inv_collections = atpctl_name_key(inv_collections);
    UPDATE device SET name_key = name_key || char(31) || id
      WHERE EXISTS (SELECT 1 FROM device e WHERE e.name_key = device.name_key AND e.id < device.id);
    CREATE UNIQUE INDEX device_name_key ON device(name_key);

    ALTER TABLE collection ADD COLUMN name_key TEXT;
    UPDATE collection SET name_key = atpctl_name_key(name);
    UPDATE collection SET name_key = name_key || char(31) || id
      WHERE EXISTS (SELECT 1 FROM collection e WHERE e.name_key = collection.name_key AND e.id < collection.id);
    CREATE UNIQUE INDEX collection_name_key ON collection(name_key);

    ALTER TABLE intune_group ADD COLUMN name_key TEXT;
    UPDATE intune_group SET name_key = atpctl_name_key(name);
    UPDATE intune_group SET name_key = name_key || char(31) || rowid
      WHERE EXISTS (SELECT 1 FROM intune_group e WHERE e.name_key = intune_group.name_key AND e.rowid < intune_group.rowid);
    CREATE UNIQUE INDEX intune_group_name_key ON intune_group(name_key);
  `,
}
