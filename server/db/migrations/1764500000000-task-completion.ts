import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * People complete tasks (GET/PATCH /api/tasks): who and when on the task, and every change —
 * done, reopened, reassigned, due moved — as a row of its own, which the item's timeline shows.
 */
export class TaskCompletion1764500000000 implements MigrationInterface {
  name = 'TaskCompletion1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('tasks', [new TableColumn({ name: 'completed_at', type: 'bigint', isNullable: true }), new TableColumn({ name: 'completed_by', type: 'varchar', isNullable: true })]);
    // "My open tasks" is the list everyone opens.
    await queryRunner.createIndex('tasks', new TableIndex({ name: 'ix_tasks_assignee_status', columnNames: ['assignee', 'status'] }));
    await queryRunner.createTable(
      new Table({
        name: 'task_changes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'task_id', type: 'integer' },
          { name: 'entity_type', type: 'varchar' },
          { name: 'entity_id', type: 'integer' },
          { name: 'change', type: 'varchar' },
          { name: 'from_value', type: 'varchar', isNullable: true },
          { name: 'to_value', type: 'varchar', isNullable: true },
          { name: 'actor', type: 'varchar' },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ix_task_changes_entity', columnNames: ['entity_type', 'entity_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('task_changes');
    await queryRunner.dropIndex('tasks', 'ix_tasks_assignee_status');
    await queryRunner.dropColumn('tasks', 'completed_by');
    await queryRunner.dropColumn('tasks', 'completed_at');
  }
}
