import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** A person's words with a move (the board asks for one beside a lost reason), kept on the history row. */
export class StageEntryComment1764600000000 implements MigrationInterface {
  name = 'StageEntryComment1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('stage_entries', new TableColumn({ name: 'comment', type: 'varchar', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('stage_entries', 'comment');
  }
}
