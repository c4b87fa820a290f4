#!/usr/bin/env python3
"""DuckDB reads a partitioned dataset written by several shards
(hive_partitioning = true) and finds exactly the rows of a single run.

usage: check_partitioned.py FLAT_DIR PARTITIONED_DIR
Prints the totals it compared; exit 0 when every table matches.
"""
import sys

import duckdb

flat, part = sys.argv[1], sys.argv[2]
con = duckdb.connect()
problems = []


def rows(sql):
    return sorted(con.sql(sql).fetchall(), key=repr)


for table in ["reports", "indicators", "expenditure_by_function", "facts", "checks", "files"]:
    single = f"read_parquet('{flat}/{table}.parquet')"
    shared = f"read_parquet('{part}/{table}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
    cols = [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {single}").fetchall()]
    select = ", ".join(f'"{c}"' for c in cols)
    a = rows(f"SELECT {select} FROM {single}")
    b = rows(f"SELECT {select} FROM {shared}")
    if a != b:
        only_a = [r for r in a if r not in b][:3]
        only_b = [r for r in b if r not in a][:3]
        problems.append(f"{table}: {len(a)} rows in the single run, {len(b)} in the shards; "
                        f"only single: {only_a}; only shards: {only_b}")
    print(f"{table}: {len(a)} rows in the single run, {len(b)} in the partitioned shards")

totals = """SELECT fiscal_year, province, count(*) AS reports, sum(revenue_total),
    sum(expenditure_total), sum(three_public_actual), avg(score_total)
  FROM {src} GROUP BY ALL"""
a = rows(totals.format(src=f"read_parquet('{flat}/reports.parquet')"))
b = rows(totals.format(src=f"read_parquet('{part}/reports/**/*.parquet', hive_partitioning = true)"))
if a != b:
    problems.append(f"totals by year and province differ:\n{a}\n{b}")
print(f"totals by fiscal_year and province: {len(a)} groups, "
      f"{sum(r[2] for r in a)} reports, revenue {sum(r[3] or 0 for r in a):.2f}")
files, shards = con.sql(f"""SELECT count(DISTINCT filename),
    count(DISTINCT regexp_extract(filename, 'part-([0-9]+)-of-', 1)) FROM
    read_parquet('{part}/reports/**/*.parquet', hive_partitioning = true, filename = true)""").fetchall()[0]
print(f"reports: {files} part files from {shards} shards")
for p in problems:
    print("PROBLEM:", p)
print(f"{len(problems)} problems")
sys.exit(1 if problems else 0)
