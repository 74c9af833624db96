import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * The workplace: a run's reason as a code the web app translates (beside the English detail),
 * who created a task by hand, and the in-app notifications of what was sent to a person.
 */
export class Workplace1764700000000 implements MigrationInterface {
  name = 'Workplace1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('robot_runs', [new TableColumn({ name: 'reason_code', type: 'varchar', isNullable: true }), new TableColumn({ name: 'reason_params', type: 'text', isNullable: true })]);
    await queryRunner.addColumn('tasks', new TableColumn({ name: 'created_by', type: 'varchar', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'notifications',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'login', type: 'varchar' },
          { name: 'entity_type', type: 'varchar', isNullable: true },
          { name: 'entity_id', type: 'integer', isNullable: true },
          { name: 'kind', type: 'varchar' },
          { name: 'text', type: 'text' },
          { name: 'key', type: 'varchar' },
          { name: 'created_at', type: 'bigint' },
          { name: 'read_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          // A retried run sends under the same key: its notification is found, never written twice.
          new TableIndex({ name: 'ux_notifications_key', columnNames: ['key'], isUnique: true }),
          // "My unread" is what the bell asks on every page.
          new TableIndex({ name: 'ix_notifications_login_read', columnNames: ['login', 'read_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notifications');
    await queryRunner.dropColumn('tasks', 'created_by');
    await queryRunner.dropColumn('robot_runs', 'reason_params');
    await queryRunner.dropColumn('robot_runs', 'reason_code');
  }
}
