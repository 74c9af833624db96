import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The claim reads pending runs in due order. On (status, due_at) the two pending statuses are two
 * ranges, so the database sorted every due run on each claim (EXPLAIN: "USE TEMP B-TREE FOR ORDER
 * BY"), which grows with a backlog after downtime. A partial index over pending runs only, in
 * (due_at, id) order, answers the claim by reading the first rows; it holds only what is still to
 * run, however many finished runs the table keeps.
 */
export class PendingRunsIndex1764300000000 implements MigrationInterface {
  name = 'PendingRunsIndex1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('robot_runs', new TableIndex({ name: 'ix_robot_runs_pending_due', columnNames: ['due_at', 'id'], where: "status IN ('scheduled', 'failed') AND due_at IS NOT NULL" }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('robot_runs', 'ix_robot_runs_pending_due');
  }
}
