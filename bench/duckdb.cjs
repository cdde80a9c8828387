// SPDX-License-Identifier: ISC
//
// The DuckDB contender of bench/run: the selection the jq and Python rows
// make (eventName among the rules' names, or errorCode among their codes)
// over the archive's CloudTrail log files, with DuckDB reading only the
// two columns it needs.  It prints the counts, as the Python row does, so
// that bench/run can check that both selected the same records.
//
//   NODE_PATH=bench/out/node/node_modules \
//       node bench/duckdb.cjs THREADS SELECTION.json ARCHIVE
//
// @duckdb/node-api is not a dependency of ctaudit: bench/run installs it
// under bench/out/node (see bench/README.md).  CommonJS, because only
// require() looks in NODE_PATH.

'use strict';
const { readFileSync } = require('node:fs');
const { DuckDBInstance } = require('@duckdb/node-api');

const [threads, selfile, archive] = process.argv.slice(2);
const sel = JSON.parse(readFileSync(selfile, 'utf8'));
const lit = (v) => "'" + String(v).replace(/'/g, "''") + "'";
const list = (vs) => vs.length ? vs.map(lit).join(',') : 'NULL';
const glob = archive.replace(/\/+$/, '') + '/**/*_CloudTrail_*.json.gz';

async function main() {
	const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
	const con = await db.connect();
	const reader = await con.runAndReadAll(`
	SELECT count(*), count(*) FILTER (WHERE e.eventName IN (${list(sel.names)})
	    OR e.errorCode IN (${list(sel.codes)}))
	FROM (SELECT unnest(Records) AS e FROM read_json(${lit(glob)},
	    columns = {'Records': 'STRUCT(eventName VARCHAR, errorCode VARCHAR)[]'},
	    format = 'auto', compression = 'gzip',
	    maximum_object_size = 1073741824))`);
	const [total, kept] = reader.getRows()[0];
	process.stderr.write(`duckdb: ${total} records, ${kept} selected\n`);
}

main().catch((e) => {
	process.stderr.write(`duckdb: ${e.message}\n`);
	process.exit(1);
});
