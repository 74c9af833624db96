import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * A claimed run holds a lease until `lease_until` (renewed while it executes); a run whose
 * lease expired belongs to a worker that stopped, and the reaper takes it back.
 */
export class RunLeases1764200000000 implements MigrationInterface {
  name = 'RunLeases1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('robot_runs', new TableColumn({ name: 'lease_until', type: 'bigint', isNullable: true }));
    await queryRunner.createIndex('robot_runs', new TableIndex({ name: 'ix_robot_runs_status_lease', columnNames: ['status', 'lease_until'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('robot_runs', 'ix_robot_runs_status_lease');
    await queryRunner.dropColumn('robot_runs', 'lease_until');
  }
}
