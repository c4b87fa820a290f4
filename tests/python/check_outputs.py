#!/usr/bin/env python3
"""A Python reader agrees: open every Parquet file of a jixiao output folder
with pyarrow, check column names and types against SCHEMA.md, open the
workbook with openpyxl (every sheet, Chinese headers, tables, a chart), and
let DuckDB join reports with indicators and recompute the summary's mean
score per county.

usage: check_outputs.py OUTPUT_DIR
Exit 0 when everything holds; prints every problem otherwise.
"""
import json
import os
import sys

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

S, F64, I32, I64, B = pa.string(), pa.float64(), pa.int32(), pa.int64(), pa.bool_()
LIST_S = pa.list_(pa.string())

# The contract of ../shared/SCHEMA.md (minimum columns and their types).
SCHEMA = {
    "reports": {
        "report_id": S, "source_path": S, "source_format": S, "department": S,
        "province": S, "city": S, "county": S, "region_code": S, "fiscal_year": I32,
        "revenue_total": F64, "expenditure_total": F64, "expenditure_basic": F64,
        "expenditure_personnel": F64, "expenditure_public_use": F64,
        "expenditure_project": F64, "budget_initial": F64, "three_public_actual": F64,
        "three_public_budget": F64, "three_public_ratio": F64,
        "outbound_travel_actual": F64, "vehicle_actual": F64, "vehicle_budget": F64,
        "reception_actual": F64, "reception_budget": F64, "score_total": F64,
        "grade": S, "score_budget_preparation": F64, "score_budget_execution": F64,
        "score_effectiveness": F64, "score_bonus": F64, "staff_authorized": I32,
        "staff_actual": I32, "problems": LIST_S,
    },
    "indicators": {"report_id": S, "section": S, "indicator": S, "max_score": F64, "score": F64},
    "expenditure_by_function": {"report_id": S, "function_class": S, "amount": F64},
    "facts": {
        "report_id": S, "field": S, "value": S, "derived": B, "rule": S, "snippet": S,
        "char_start": I64, "char_end": I64, "page": I32,
    },
    "checks": {"report_id": S, "check": S, "severity": S, "message": S},
    "files": {
        "source_path": S, "source_format": S, "bytes": I64, "sha256": S, "status": S,
        "error": S, "report_id": S,
    },
    "summary_by_region": {
        "province": S, "city": S, "county": S, "fiscal_year": I32, "reports": I64,
        "departments": I64, "departments_in_conflict": I64, "revenue_total": F64, "expenditure_total": F64, "expenditure_basic": F64,
        "expenditure_project": F64, "three_public_actual": F64,
        "three_public_budget": F64, "three_public_ratio": F64, "score_mean": F64,
        "score_min": F64, "score_max": F64,
    },
}
UTF8 = {pa.string(), pa.large_string(), pa.string_view()}


def same_type(got, want):
    """Utf8 is any Arrow UTF-8 string layout (polars writes string_view)."""
    if want.equals(pa.string()):
        return any(got.equals(u) for u in UTF8)
    if want.equals(LIST_S):
        return (pa.types.is_list(got) or pa.types.is_large_list(got)) and any(
            got.value_type.equals(u) for u in UTF8)
    return got.equals(want)


SHEETS = {
    "报告": "收入合计（万元）", "文件": "文件路径", "汇总": "平均得分", "指标得分": "指标",
    "支出功能分类": "功能分类", "存在问题": "存在问题", "校验": "严重程度", "字段说明": "含义",
    "历年对比": "得分变化（分）",
}


def duckdb_summary_agrees(out):
    """DuckDB joins reports with indicators on report_id and recomputes the
    mean score per county over departments (a department's files count once,
    a score they disagree on is left out, a project's report is none); it must
    equal summary_by_region.score_mean, and the count its departments."""
    try:
        import duckdb
    except ImportError:
        if os.environ.get("CI"):
            return ["duckdb is not installed (python3 -m pip install duckdb)"]
        print("skipped: DuckDB check (python3 -m pip install duckdb)")
        return []
    con = duckdb.connect()
    r, i, s = (os.path.join(out, f"{t}.parquet") for t in ("reports", "indicators", "summary_by_region"))
    mine = con.execute(f"""
        WITH joined AS (
            SELECT DISTINCT r.report_id, r.province, r.city, r.county, r.fiscal_year,
                   coalesce(r.department, r.report_id) AS department, r.score_total
            FROM read_parquet('{r}') r LEFT JOIN read_parquet('{i}') i ON r.report_id = i.report_id
            WHERE r.document_kind <> '项目支出绩效报告'),
        per_department AS (
            SELECT province, city, county, fiscal_year, department,
                   CASE WHEN count(DISTINCT score_total) <= 1 THEN max(score_total) END AS score_total
            FROM joined GROUP BY ALL)
        SELECT province, city, county, fiscal_year, avg(score_total) AS score_mean, count(*) AS n
        FROM per_department GROUP BY province, city, county, fiscal_year ORDER BY ALL""").fetchall()
    theirs = con.execute(f"""
        SELECT province, city, county, fiscal_year, score_mean, departments
        FROM read_parquet('{s}') ORDER BY ALL""").fetchall()
    problems = []
    if len(mine) != len(theirs):
        problems.append(f"duckdb: {len(mine)} groups, summary_by_region has {len(theirs)}")
    for a, b in zip(mine, theirs):
        same_key = a[:4] == b[:4]
        same_mean = (a[4] is None and b[4] is None) or (a[4] is not None and b[4] is not None and abs(a[4] - b[4]) < 1e-9)
        if not (same_key and same_mean and a[5] == b[5]):
            problems.append(f"duckdb: {a} vs summary {b}")
    if not mine:
        problems.append("duckdb: no groups")
    return problems


def main():
    out = sys.argv[1]
    problems = []
    for table, cols in SCHEMA.items():
        path = os.path.join(out, f"{table}.parquet")
        try:
            schema = pq.read_schema(path)
            t = pq.read_table(path)
        except Exception as e:  # noqa: BLE001 - report any reader failure
            problems.append(f"{table}: pyarrow cannot read it: {e}")
            continue
        for name, typ in cols.items():
            if name not in schema.names:
                problems.append(f"{table}: missing column {name}")
            elif not same_type(schema.field(name).type, typ):
                problems.append(f"{table}.{name}: type {schema.field(name).type}, want {typ}")
        if table in ("reports", "files") and t.num_rows == 0:
            problems.append(f"{table}: no rows")
        if "source_path" in schema.names:
            paths = t.column("source_path").to_pylist()
            if paths != sorted(paths):
                problems.append(f"{table}: rows not sorted by source_path")
    # Units: every amount in 万元, rates as fractions.
    reports = pq.read_table(os.path.join(out, "reports.parquet")).to_pylist()
    for r in reports:
        ratio = r["three_public_ratio"]
        if ratio is not None and not 0 <= ratio <= 5:
            problems.append(f"{r['source_path']}: three_public_ratio {ratio} is not a fraction")
    wb = openpyxl.load_workbook(os.path.join(out, "jixiao.xlsx"))
    for sheet, header in SHEETS.items():
        if sheet not in wb.sheetnames:
            problems.append(f"workbook: no sheet {sheet}")
            continue
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        if header not in headers:
            problems.append(f"workbook {sheet}: header {header} missing in {headers}")
        if ws.freeze_panes != "A2":
            problems.append(f"workbook {sheet}: header row not frozen ({ws.freeze_panes})")
        if not ws.auto_filter.ref and not ws.tables:
            problems.append(f"workbook {sheet}: neither an Excel table nor an autofilter")
        if not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(str(h or "") for h in headers)):
            problems.append(f"workbook {sheet}: headers are not Chinese")
    # Numbers keep their display format (amounts, rates, whole numbers), whether
    # a cell carries it or takes it from its column.
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    if c.number_format not in ("#,##0.00", "0.00%", "0"):
                        problems.append(
                            f"workbook {ws.title}!{c.coordinate}: number {c.value} shown as {c.number_format!r}"
                        )
                        break
    headers = [c.value for c in wb["报告"][1]]
    for name, fmt in (("“三公”经费控制率", "0.00%"), ("收入合计（万元）", "#,##0.00"), ("年度", "0")):
        col = next((i for i, h in enumerate(headers) if str(h or "").startswith(name)), None)
        cells = [r[col] for r in wb["报告"].iter_rows(min_row=2)] if col is not None else []
        shown = {c.number_format for c in cells if isinstance(c.value, (int, float))}
        if shown != {fmt}:
            problems.append(f"workbook 报告 {name}: numbers shown as {sorted(shown)}, not {fmt!r}")
    charts = sum(len(ws._charts) for ws in wb.worksheets)
    if charts < 1:
        problems.append("workbook: no chart")
    if wb["报告"].max_row != len(reports) + 1:
        problems.append("workbook 报告: row count differs from reports.parquet")
    problems += duckdb_summary_agrees(out)
    manifest = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    if manifest.get("tool") != "jixiao":
        problems.append("manifest.json: not written by jixiao")
    for p in problems:
        print("PROBLEM", p)
    print(f"python reader: {len(SCHEMA)} tables, {len(reports)} reports, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
