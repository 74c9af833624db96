import type { DataSource } from 'typeorm';
import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases';

/** Undoes the migrations that came after the consent register, and the register itself. */
async function undoThroughConsentRegister(dataSource: DataSource): Promise<void> {
  for (;;) {
    const [last] = (await dataSource.query('SELECT name FROM migrations ORDER BY id DESC LIMIT 1')) as Array<{ name: string }>;
    await dataSource.undoLastMigration();
    if (!last || last.name.startsWith('ConsentRegister')) return;
  }
}

/** An install upgraded to the consent register keeps every STOP its clients sent. */
describe.each(testDatabaseKinds())('the consent register replacing the opt-out list, on %s', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await openTestDatabase(kind);
  });
  afterEach(async () => {
    await database.cleanup();
  });

  it('the STOPs of the old list become opt-outs of the register, voice as call; going back restores the list', async () => {
    const { dataSource } = database;
    await undoThroughConsentRegister(dataSource);
    await dataSource.query(`INSERT INTO opt_outs (channel, address, reason, created_at) VALUES ('sms', '+79161234567', 'client wrote "СТОП"', 1000), ('voice', '+79031112233', 'client wrote "STOP"', 2000)`);
    await dataSource.runMigrations();
    const rows = await dataSource.query('SELECT channel, address, status, source, note FROM consents ORDER BY id');
    expect(rows).toEqual([
      { channel: 'sms', address: '+79161234567', status: 'opt_out', source: 'sms_stop', note: 'client wrote "СТОП"' },
      { channel: 'call', address: '+79031112233', status: 'opt_out', source: 'sms_stop', note: 'client wrote "STOP"' },
    ]);
    await undoThroughConsentRegister(dataSource);
    expect(await dataSource.query('SELECT channel, address FROM opt_outs ORDER BY channel')).toEqual([
      { channel: 'sms', address: '+79161234567' },
      { channel: 'voice', address: '+79031112233' },
    ]);
    await dataSource.runMigrations();
  });
});
