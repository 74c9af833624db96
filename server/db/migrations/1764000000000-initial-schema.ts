import { type MigrationInterface, type QueryRunner, Table, type TableColumnOptions, TableIndex } from 'typeorm';

/**
 * Written with TypeORM's Table API rather than raw SQL so one migration creates the same
 * schema on SQLite and Postgres.
 */
const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const varchar = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', isNullable });
const integer = (name: string, isNullable = false, defaultValue?: number): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable,
  default: defaultValue,
});
const time = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });
const textColumn = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'text', isNullable });

const itemColumns: TableColumnOptions[] = [
  id,
  varchar('title', true),
  varchar('name', true),
  varchar('phone', true),
  varchar('email', true),
  varchar('company_name', true),
  varchar('stage'),
  integer('stage_entry_id', true),
  time('entered_stage_at'),
  varchar('source', true),
  varchar('responsible', true),
  textColumn('fields'),
  integer('contact_id', true),
  integer('company_id', true),
  varchar('lost_reason', true),
  varchar('refused_by', true),
  integer('score', false, 0),
  time('created_at'),
  time('updated_at'),
];

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [{ name: 'login', type: 'varchar', isPrimary: true }, varchar('name'), varchar('role'), varchar('team', true), varchar('origin'), time('created_at')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_tokens',
        columns: [id, varchar('login'), varchar('token_hash'), varchar('label', true), time('created_at'), time('last_used_at', true)],
        indices: [new TableIndex({ name: 'ux_api_tokens_hash', columnNames: ['token_hash'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'leads',
        columns: [...itemColumns, { name: 'repeat_client', type: 'boolean', default: false }, integer('deal_id', true)],
        indices: [
          new TableIndex({ name: 'ix_leads_phone', columnNames: ['phone'] }),
          new TableIndex({ name: 'ix_leads_email', columnNames: ['email'] }),
          new TableIndex({ name: 'ix_leads_stage', columnNames: ['stage'] }),
          new TableIndex({ name: 'ix_leads_responsible', columnNames: ['responsible'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'deals',
        columns: [...itemColumns, varchar('pipeline'), integer('lead_id', true), { name: 'amount', type: 'double precision', isNullable: true }],
        indices: [
          // One deal per lead and direction: create_on_basis stays idempotent even across workers.
          new TableIndex({ name: 'ux_deals_lead_pipeline', columnNames: ['lead_id', 'pipeline'], isUnique: true }),
          new TableIndex({ name: 'ix_deals_pipeline_stage', columnNames: ['pipeline', 'stage'] }),
          new TableIndex({ name: 'ix_deals_responsible', columnNames: ['responsible'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'contacts',
        columns: [id, varchar('name', true), varchar('phone', true), varchar('email', true), integer('company_id', true), time('created_at')],
        indices: [new TableIndex({ name: 'ix_contacts_phone', columnNames: ['phone'] }), new TableIndex({ name: 'ix_contacts_email', columnNames: ['email'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'companies',
        columns: [id, varchar('name'), varchar('name_key'), time('created_at')],
        indices: [new TableIndex({ name: 'ux_companies_name_key', columnNames: ['name_key'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'stage_entries',
        columns: [
          id,
          varchar('entity_type'),
          integer('entity_id'),
          varchar('pipeline'),
          varchar('stage'),
          varchar('from_stage', true),
          time('entered_at'),
          time('left_at', true),
          varchar('actor'),
          varchar('reason', true),
          varchar('refused_by', true),
          integer('causal_depth', false, 0),
        ],
        indices: [new TableIndex({ name: 'ix_stage_entries_entity', columnNames: ['entity_type', 'entity_id'] }), new TableIndex({ name: 'ix_stage_entries_pipeline_stage', columnNames: ['pipeline', 'stage'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'robot_runs',
        columns: [
          id,
          integer('entry_id'),
          varchar('entity_type'),
          integer('entity_id'),
          varchar('pipeline'),
          varchar('stage'),
          varchar('robot_id'),
          varchar('robot_type'),
          integer('position', false, 0),
          varchar('status'),
          time('due_at', true),
          varchar('waits_for', true),
          integer('attempts', false, 0),
          integer('causal_depth', false, 0),
          textColumn('detail', true),
          textColumn('last_error', true),
          varchar('locked_by', true),
          time('started_at', true),
          time('finished_at', true),
          time('created_at'),
        ],
        indices: [
          // "Never twice": one run of a robot per stage entry.
          new TableIndex({ name: 'ux_robot_runs_entry_robot', columnNames: ['entry_id', 'robot_id'], isUnique: true }),
          new TableIndex({ name: 'ix_robot_runs_status_due', columnNames: ['status', 'due_at'] }),
          new TableIndex({ name: 'ix_robot_runs_entity', columnNames: ['entity_type', 'entity_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'messages',
        columns: [
          id,
          varchar('idempotency_key'),
          integer('run_id', true),
          varchar('entity_type', true),
          integer('entity_id', true),
          { name: 'direction', type: 'varchar', default: "'out'" },
          varchar('channel'),
          varchar('audience'),
          varchar('recipient'),
          varchar('recipient_login', true),
          varchar('template', true),
          varchar('subject', true),
          textColumn('body'),
          textColumn('meta'),
          varchar('status'),
          varchar('provider_id', true),
          textColumn('error', true),
          time('created_at'),
          time('sent_at', true),
        ],
        indices: [
          new TableIndex({ name: 'ux_messages_idempotency_key', columnNames: ['idempotency_key'], isUnique: true }),
          new TableIndex({ name: 'ix_messages_entity', columnNames: ['entity_type', 'entity_id'] }),
          new TableIndex({ name: 'ix_messages_provider_id', columnNames: ['provider_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'events',
        columns: [id, varchar('type'), varchar('entity_type', true), integer('entity_id', true), varchar('actor', true), textColumn('payload'), varchar('outcome', true), time('created_at')],
        indices: [new TableIndex({ name: 'ix_events_entity', columnNames: ['entity_type', 'entity_id'] }), new TableIndex({ name: 'ix_events_type', columnNames: ['type'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tasks',
        columns: [
          id,
          varchar('entity_type'),
          integer('entity_id'),
          varchar('assignee', true),
          varchar('title'),
          time('due_at', true),
          { name: 'status', type: 'varchar', default: "'open'" },
          integer('run_id', true),
          time('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_tasks_entity', columnNames: ['entity_type', 'entity_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['tasks', 'events', 'messages', 'robot_runs', 'stage_entries', 'companies', 'contacts', 'deals', 'leads', 'api_tokens', 'users']) {
      await queryRunner.dropTable(table);
    }
  }
}
