import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/** Scoring and tags on items, trigger outcomes on events, replay protection, opt-outs, calls. */
export class EventsTriggersChannels1764100000000 implements MigrationInterface {
  name = 'EventsTriggersChannels1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['leads', 'deals']) {
      await queryRunner.addColumns(table, [new TableColumn({ name: 'tags', type: 'text', isNullable: false, default: "'[]'" }), new TableColumn({ name: 'scored_at', type: 'bigint', isNullable: true })]);
    }
    await queryRunner.addColumn('events', new TableColumn({ name: 'trigger_id', type: 'varchar', isNullable: true }));
    // Set once the task_overdue event has been raised, so it is raised once.
    await queryRunner.addColumn('tasks', new TableColumn({ name: 'overdue_at', type: 'bigint', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'webhook_receipts',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'source', type: 'varchar' },
          { name: 'signature', type: 'varchar' },
          { name: 'created_at', type: 'bigint' },
        ],
        // A signature seen once is a replay the second time.
        indices: [new TableIndex({ name: 'ux_webhook_receipts_signature', columnNames: ['source', 'signature'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'opt_outs',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'channel', type: 'varchar' },
          { name: 'address', type: 'varchar' },
          { name: 'reason', type: 'varchar', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ux_opt_outs_channel_address', columnNames: ['channel', 'address'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'calls',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'entity_type', type: 'varchar' },
          { name: 'entity_id', type: 'integer' },
          { name: 'run_id', type: 'integer', isNullable: true },
          { name: 'agent_login', type: 'varchar', isNullable: true },
          { name: 'agent_phone', type: 'varchar', isNullable: true },
          { name: 'client_phone', type: 'varchar', isNullable: true },
          { name: 'direction', type: 'varchar', default: "'outbound'" },
          { name: 'attempt', type: 'integer', default: 1 },
          { name: 'provider_sid', type: 'varchar', isNullable: true },
          { name: 'status', type: 'varchar' },
          { name: 'started_at', type: 'bigint' },
          { name: 'answered_at', type: 'bigint', isNullable: true },
          { name: 'ended_at', type: 'bigint', isNullable: true },
          { name: 'duration_seconds', type: 'integer', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'ix_calls_entity', columnNames: ['entity_type', 'entity_id'] }), new TableIndex({ name: 'ix_calls_provider_sid', columnNames: ['provider_sid'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('calls');
    await queryRunner.dropTable('opt_outs');
    await queryRunner.dropTable('webhook_receipts');
    await queryRunner.dropColumn('tasks', 'overdue_at');
    await queryRunner.dropColumn('events', 'trigger_id');
    for (const table of ['leads', 'deals']) {
      await queryRunner.dropColumn(table, 'scored_at');
      await queryRunner.dropColumn(table, 'tags');
    }
  }
}
