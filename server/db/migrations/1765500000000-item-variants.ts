import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/** The variant of an A/B split each item got: chosen once, so the same item never switches. */
export class ItemVariants1765500000000 implements MigrationInterface {
  name = 'ItemVariants1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'item_variants',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'entity_type', type: 'varchar' },
          { name: 'entity_id', type: 'integer' },
          { name: 'split', type: 'varchar' },
          { name: 'variant', type: 'varchar' },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'ux_item_variants_item_split', columnNames: ['entity_type', 'entity_id', 'split'], isUnique: true }),
          new TableIndex({ name: 'ix_item_variants_split', columnNames: ['split', 'variant'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('item_variants', true);
  }
}
