// The DuckDB side of loghunt's benchmark: load an Apache combined log into
// a table (parsing it with regular expressions), then run the same
// questions loghunt answers. Prints one JSON line per step.
// usage: node duckdb.mjs ACCESS.LOG DB.duckdb HOUR_START HOUR_END
import { DuckDBInstance } from '@duckdb/node-api';

const [file, dbfile, hourStart, hourEnd] = process.argv.slice(2);
const inst = await DuckDBInstance.create(dbfile);
const con = await inst.connect();

async function step(name, sql) {
  const t = performance.now();
  const r = await con.runAndReadAll(sql);
  const ms = performance.now() - t;
  const rows = r.getRows().slice(0, 2).map((row) => row.map((v) => String(v)));
  console.log(JSON.stringify({ step: name, ms, rows }));
}

const line = String.raw`^(\S+) \S+ \S+ \[([^\]]+)\] "\S+ (\S+) [^"]*" (\d{3}) (\d+|-)`;
await step('load', `CREATE TABLE access AS
  SELECT regexp_extract(l, '${line}', 1) AS clientip,
         strptime(regexp_extract(l, '${line}', 2), '%d/%b/%Y:%H:%M:%S %z') AS ts,
         regexp_extract(l, '${line}', 3) AS path,
         TRY_CAST(regexp_extract(l, '${line}', 4) AS INTEGER) AS status,
         TRY_CAST(regexp_extract(l, '${line}', 5) AS BIGINT) AS bytes,
         l AS raw
  FROM read_csv('${file}', columns = {'l': 'VARCHAR'}, delim = '\x1f', header = false,
                quote = '', escape = '', auto_detect = false)`);
await step('top404', `SELECT clientip, count(*) AS n FROM access WHERE status = 404
  GROUP BY clientip ORDER BY n DESC, clientip LIMIT 5`);
await step('perminute', `SELECT date_trunc('minute', ts) AS m, count(*) AS n, sum(bytes) AS b FROM access
  GROUP BY m ORDER BY b DESC LIMIT 5`);
await step('rareword', `SELECT count(*) FROM access WHERE raw ILIKE '%wp-login%'`);
await step('hour', `SELECT count(*), sum(bytes) FROM access
  WHERE ts >= TIMESTAMPTZ '${hourStart}' AND ts < TIMESTAMPTZ '${hourEnd}'`);
