import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Whose turn it is in each team's round robin (per pipeline): one row taken under a lock, so
 * leads given out at the same moment go to one person after another, not all to the same one.
 * And leases: work that one process of an install does at a time (a config apply), held in the
 * database all of them share.
 */
export class TurnsAndLeases1765800000000 implements MigrationInterface {
  name = 'TurnsAndLeases1765800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'team_turns',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'rotation', type: 'varchar' },
          { name: 'last_login', type: 'varchar', isNullable: true },
          { name: 'updated_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ux_team_turns_rotation', columnNames: ['rotation'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'leases',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'name', type: 'varchar' },
          { name: 'holder', type: 'varchar' },
          { name: 'held_until', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ux_leases_name', columnNames: ['name'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('leases', true);
    await queryRunner.dropTable('team_turns', true);
  }
}
