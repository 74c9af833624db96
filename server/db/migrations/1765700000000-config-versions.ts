import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** Every config the server ran, whole: who applied it (or `file` for a change made on disk), so any of them can be planned and put back. */
export class ConfigVersions1765700000000 implements MigrationInterface {
  name = 'ConfigVersions1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'config_versions',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'author', type: 'varchar' },
          { name: 'created_at', type: 'bigint' },
          { name: 'yaml', type: 'text' },
          { name: 'hash', type: 'varchar' },
          { name: 'plan_summary', type: 'text', isNullable: true },
          { name: 'rollback_of', type: 'integer', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'ix_config_versions_created', columnNames: ['created_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('config_versions', true);
  }
}
