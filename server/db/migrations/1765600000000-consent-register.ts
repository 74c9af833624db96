import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The consent register replaces the opt-out list: every opt-in and opt-out per channel and
 * address (and contact, when known), with where it came from and when; the latest row is the
 * client's word. The STOP replies of the old list come across as opt-outs.
 */
export class ConsentRegister1765600000000 implements MigrationInterface {
  name = 'ConsentRegister1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'consents',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'channel', type: 'varchar' },
          { name: 'address', type: 'varchar', isNullable: true },
          { name: 'contact_id', type: 'integer', isNullable: true },
          { name: 'status', type: 'varchar' },
          { name: 'source', type: 'varchar' },
          { name: 'note', type: 'varchar', isNullable: true },
          { name: 'actor', type: 'varchar', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ix_consents_channel_address', columnNames: ['channel', 'address', 'id'] }), new TableIndex({ name: 'ix_consents_contact', columnNames: ['contact_id', 'channel', 'id'] })],
      }),
    );
    // The old list knew the message channel; the register speaks of `call` where it said `voice`.
    await queryRunner.query(
      `INSERT INTO consents (channel, address, contact_id, status, source, note, actor, created_at)
       SELECT CASE WHEN channel = 'voice' THEN 'call' ELSE channel END, address, NULL, 'opt_out', 'sms_stop', reason, NULL, created_at FROM opt_outs ORDER BY id`,
    );
    await queryRunner.dropTable('opt_outs');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'opt_outs',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'channel', type: 'varchar' },
          { name: 'address', type: 'varchar' },
          { name: 'reason', type: 'varchar', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'ux_opt_outs_channel_address', columnNames: ['channel', 'address'], isUnique: true })],
      }),
    );
    await queryRunner.query(
      `INSERT INTO opt_outs (channel, address, reason, created_at)
       SELECT CASE WHEN channel = 'call' THEN 'voice' ELSE channel END, address, MAX(note), MIN(created_at) FROM consents WHERE status = 'opt_out' AND address IS NOT NULL GROUP BY channel, address`,
    );
    await queryRunner.dropTable('consents', true);
  }
}
