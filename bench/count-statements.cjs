/**
 * Counts the statements a process sends to Postgres, by text, for "statements a run".
 * Preload it into the worker processes of a drain:
 *   NODE_OPTIONS="--require ./bench/count-statements.cjs" BENCH_DRAIN_LEADS=1000 npx tsx bench/drain-one.ts postgres 1 processes
 * Every process that loads pg writes /tmp/robots-statements-<pid>.json (most frequent first)
 * every 300 ms, so a killed worker leaves its counts (give or take its last 300 ms).
 */
const fs = require('node:fs');
const path = require('node:path');
const pg = require(path.join(__dirname, '..', 'node_modules', 'pg'));

const counts = new Map();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, values, callback) {
  const text = typeof config === 'string' ? config : config && config.text;
  if (text) {
    const key = text.replace(/\s+/g, ' ').slice(0, 160);
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return query.call(this, config, values, callback);
};
const file = path.join(require('node:os').tmpdir(), `robots-statements-${process.pid}.json`);
setInterval(() => {
  if (counts.size > 0)
    fs.writeFileSync(
      file,
      JSON.stringify(
        [...counts].sort((a, b) => b[1] - a[1]),
        null,
        1,
      ),
    );
}, 300).unref();
