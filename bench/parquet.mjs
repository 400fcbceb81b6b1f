// The DuckDB side of the Parquet export check: the time of DuckDB's own
// COPY ... TO 'x.parquet' of the access table (made by duckdb.mjs), then
// the reference questions on loghunt's export, read with
// read_parquet(..., hive_partitioning=true). Prints one JSON line per step.
// usage: node parquet.mjs DB.duckdb EXPORT_DIR OUT.parquet HOUR_START HOUR_END
import { DuckDBInstance } from '@duckdb/node-api';

const [dbfile, dir, out, hourStart, hourEnd] = process.argv.slice(2);
const inst = await DuckDBInstance.create(dbfile);
const con = await inst.connect();

async function step(name, sql) {
  const t = performance.now();
  const r = await con.runAndReadAll(sql);
  const ms = performance.now() - t;
  const rows = r.getRows().slice(0, 2).map((row) => row.map((v) => String(v)));
  console.log(JSON.stringify({ step: name, ms, rows }));
}

await step('copy', `COPY access TO '${out}' (FORMAT parquet, COMPRESSION zstd)`);
const src = `read_parquet('${dir}/**/*.parquet', hive_partitioning = true)`;
await step('count', `SELECT count(*) FROM ${src}`);
await step('top404', `SELECT clientip, count(*) AS n FROM ${src} WHERE status = 404
  GROUP BY clientip ORDER BY n DESC, clientip LIMIT 5`);
await step('perminute', `SELECT date_trunc('minute', _time) AS m, count(*) AS n, sum(bytes) AS b FROM ${src}
  GROUP BY m ORDER BY b DESC LIMIT 5`);
await step('rareword', `SELECT count(*) FROM ${src} WHERE regexp_matches(_raw, '(?i)(^|[^A-Za-z0-9_])wp-login')`);
await step('hour', `SELECT count(*), sum(bytes) FROM ${src}
  WHERE _time >= TIMESTAMPTZ '${hourStart}' AND _time < TIMESTAMPTZ '${hourEnd}'`);
