import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** Secrets generated on the first start (none set in the environment), kept with the data so links survive a restart. */
export class InstallSecrets1765000000000 implements MigrationInterface {
  name = 'InstallSecrets1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'install_secrets',
        columns: [
          { name: 'name', type: 'varchar', isPrimary: true },
          { name: 'value', type: 'varchar' },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('install_secrets', true);
  }
}
