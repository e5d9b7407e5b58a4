import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Runs one pgbench script against `url` and returns its transactions per second. */
function pgbench(url: string, script: string, args: string[], seconds: number): number {
  const dir = mkdtempSync(join(tmpdir(), "prepaid-pgbench-"));
  const file = join(dir, "script.sql");
  writeFileSync(file, script);
  const run = spawnSync("pgbench", ["-n", "-T", String(seconds), ...args, "-f", file, url], { encoding: "utf8" });
  const match = /tps = ([\d.]+)/.exec(run.stdout);
  if (run.status !== 0 || !match) throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
  return Number(match[1]);
}

export interface PgbenchBaselines {
  hotRowUpdateTps: number;
  randomRowUpdateTps: number;
  insert100RowsPerSecond: number;
}

/** The database's own speed on this machine, measured in the same run as our figures. */
export async function pgbenchBaselines(url: string, seconds: number): Promise<PgbenchBaselines> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop table if exists bench_hot, bench_rows, bench_ins;
    create table bench_hot (id int primary key, v bigint not null);
    insert into bench_hot values (1, 0);
    create table bench_rows (id int primary key, v bigint not null);
    insert into bench_rows select g, 0 from generate_series(1, 100000) g;
    create table bench_ins (a bigint, b bigint, c text);`);
  await client.end();
  const hotRowUpdateTps = pgbench(url, "update bench_hot set v = v + 1 where id = 1;\n", ["-M", "prepared", "-c", "1"], seconds);
  const randomRowUpdateTps = pgbench(
    url,
    "\\set id random(1, 100000)\nupdate bench_rows set v = v + 1 where id = :id;\n",
    ["-M", "prepared", "-c", "32", "-j", "2"],
    seconds,
  );
  const insertTps = pgbench(
    url,
    "insert into bench_ins select g, g, 'usage' from generate_series(1, 100) g;\n",
    ["-M", "prepared", "-c", "8", "-j", "2"],
    seconds,
  );
  return { hotRowUpdateTps, randomRowUpdateTps, insert100RowsPerSecond: insertTps * 100 };
}
