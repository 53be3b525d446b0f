/**
 * The schema version the last migration reaches. Opening a current database (nearly every
 * command) checks only this, so the migrations' SQL modules load only when a database is new or
 * older; a test pins it to the last entry of MIGRATIONS. Raise it with every appended migration.
 */
export const LATEST_SCHEMA_VERSION = 12
