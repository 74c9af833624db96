import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Sign-in for people: a password hash on users (robots.yaml never holds one), the
 * board's sessions, stored by the SHA-256 of their cookie, and the one-time sign-in links
 * already opened.
 */
export class Sessions1764400000000 implements MigrationInterface {
  name = 'Sessions1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('users', new TableColumn({ name: 'password_hash', type: 'varchar', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'token_hash', type: 'varchar' },
          { name: 'login', type: 'varchar' },
          { name: 'csrf_token', type: 'varchar' },
          { name: 'via', type: 'varchar' },
          { name: 'created_at', type: 'bigint' },
          { name: 'last_seen_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'ux_sessions_token_hash', columnNames: ['token_hash'], isUnique: true }),
          // A new password signs the person out everywhere: their sessions by login.
          new TableIndex({ name: 'ix_sessions_login', columnNames: ['login'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sign_in_links',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'nonce', type: 'varchar' },
          { name: 'login', type: 'varchar' },
          { name: 'used_at', type: 'bigint' },
        ],
        // A nonce seen once is a link used the second time.
        indices: [new TableIndex({ name: 'ux_sign_in_links_nonce', columnNames: ['nonce'], isUnique: true }), new TableIndex({ name: 'ix_sign_in_links_used_at', columnNames: ['used_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sign_in_links');
    await queryRunner.dropTable('sessions');
    await queryRunner.dropColumn('users', 'password_hash');
  }
}
