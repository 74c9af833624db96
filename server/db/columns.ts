import type { EntitySchemaColumnOptions } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a bigint on both SQLite and Postgres: one
 * comparison for "due now", no time-zone drift between drivers. Postgres returns int8 as a
 * string, hence the transformer.
 */
export const epochMs = (nullable = false): EntitySchemaColumnOptions => ({
  type: 'bigint',
  nullable,
  transformer: { to: (value: number | null) => value, from: (value: string | number | null) => (value === null ? null : Number(value)) },
});

export const integerId: EntitySchemaColumnOptions = { type: 'integer', primary: true, generated: 'increment' };

export const optionalInteger: EntitySchemaColumnOptions = {
  type: 'integer',
  nullable: true,
};

export const text = (nullable = true): EntitySchemaColumnOptions => ({ type: 'varchar', nullable });

/** JSON kept as text on both drivers so the same migration serves both. */
export const json = (nullable = false): EntitySchemaColumnOptions => ({ type: 'simple-json', nullable });
