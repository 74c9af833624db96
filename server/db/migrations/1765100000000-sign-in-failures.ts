import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** Wrong passwords, kept in the database: every process of an install counts them together, and a restart forgives nothing. */
export class SignInFailures1765100000000 implements MigrationInterface {
  name = 'SignInFailures1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sign_in_failures',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'scope', type: 'varchar' },
          { name: 'key', type: 'varchar' },
          { name: 'at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ix_sign_in_failures_key', columnNames: ['scope', 'key', 'at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sign_in_failures', true);
  }
}
