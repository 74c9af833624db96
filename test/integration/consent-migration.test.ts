import { openTestDatabase, testDatabaseKinds, type TestDatabase } from '../support/databases';

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
    await dataSource.undoLastMigration();
    await dataSource.query(`INSERT INTO opt_outs (channel, address, reason, created_at) VALUES ('sms', '+79161234567', 'client wrote "СТОП"', 1000), ('voice', '+79031112233', 'client wrote "STOP"', 2000)`);
    await dataSource.runMigrations();
    const rows = await dataSource.query('SELECT channel, address, status, source, note FROM consents ORDER BY id');
    expect(rows).toEqual([
      { channel: 'sms', address: '+79161234567', status: 'opt_out', source: 'sms_stop', note: 'client wrote "СТОП"' },
      { channel: 'call', address: '+79031112233', status: 'opt_out', source: 'sms_stop', note: 'client wrote "STOP"' },
    ]);
    await dataSource.undoLastMigration();
    expect(await dataSource.query('SELECT channel, address FROM opt_outs ORDER BY channel')).toEqual([
      { channel: 'sms', address: '+79161234567' },
      { channel: 'voice', address: '+79031112233' },
    ]);
    await dataSource.runMigrations();
  });
});
