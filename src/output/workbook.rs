//! The workbook for spreadsheet users: the same tables with Chinese headers
//! and units, two-decimal amounts, frozen header rows, Excel tables (filters
//! and banding in Excel and WPS), a 字段说明 sheet that explains every column,
//! severity colours on 校验, and charts where people would rather look.

use std::borrow::Cow;
use std::path::Path;

use rust_xlsxwriter::{
    Chart, ChartType, ConditionalFormatText, ConditionalFormatTextRule, Format, FormatAlign, Table, TableColumn,
    TableStyle, Workbook, Worksheet, XlsxError,
};

use super::{PanelRow, RegionSummary, ReportDigest};
use crate::model::{Check, Field, FieldKind, FileRecord, FileStatus, Report, Severity};

/// One cell of a sheet; text borrowed from the reports where it can be.
enum Cell<'a> {
    Text(Cow<'a, str>),
    Num(f64),
    Int(i64),
    Pct(f64),
    Empty,
}

/// A column: its Chinese header, the Parquet column it shows, unit and meaning.
struct Col {
    zh: String,
    en: String,
    unit: String,
    meaning: String,
}

fn col(zh: &str, en: &str, unit: &str, meaning: &str) -> Col {
    Col {
        zh: zh.into(),
        en: en.into(),
        unit: unit.into(),
        meaning: meaning.into(),
    }
}

struct Sheet<'a> {
    name: &'static str,
    /// Excel table name (ASCII).
    table: &'static str,
    /// The Parquet file the sheet mirrors, for 字段说明.
    parquet: &'static str,
    cols: Vec<Col>,
    rows: Vec<Vec<Cell<'a>>>,
}

fn text(s: &str) -> Cell<'_> {
    Cell::Text(Cow::Borrowed(s))
}

/// Reports in the 三公 chart (a chart of thousands of bars helps nobody).
const CHART_MAX_REPORTS: usize = 40;

/// Sheets in workbook order; the first five stream row by row (constant memory).
const REPORTS: usize = 0;
const SUMMARY: usize = 1;
const PANEL: usize = 2;
const INDICATORS: usize = 3;
const FUNCTIONS: usize = 4;
const PROBLEMS: usize = 5;
const CHECKS: usize = 6;
const FILES: usize = 7;
const DICTIONARY: usize = 8;

/// A sheet being written: its columns, rows so far and the widest text per column.
struct State {
    name: &'static str,
    table: &'static str,
    parquet: &'static str,
    cols: Vec<Col>,
    rows: u32,
    widths: Vec<f64>,
    /// Rows left out past the per-sheet cap (the Parquet files have them all).
    dropped: u64,
    /// Streamed to disk (a large sheet): a plain filter instead of an Excel table,
    /// whose header row would have to be rewritten.
    streamed: bool,
    /// Each column's number format, once its first number is written: later
    /// numbers of the same kind take it from the column (see `Streamer::append`).
    number_formats: Vec<Option<NumberKind>>,
}

/// How a number cell is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberKind {
    Amount,
    Int,
    Pct,
}

/// A sheet expected to pass this many rows is written in constant memory.
const STREAM_ABOVE_ROWS: usize = 20_000;

/// The workbook, written batch by batch in constant memory.
pub struct Streamer {
    wb: Workbook,
    states: Vec<State>,
    max_rows: u32,
    formats: NumberFormats,
}

/// The number formats a column takes (see [`append_rows`]).
struct NumberFormats {
    amount: Format,
    pct: Format,
    int: Format,
}

impl Streamer {
    /// `expected_files`: the files of the walk, to choose each sheet's memory mode.
    pub fn new(max_rows: u32, expected_files: usize) -> Result<Self, String> {
        let defs = [
            reports_sheet(&[]),
            summary_sheet(&[]),
            panel_sheet(&[]),
            indicators_sheet(&[]),
            functions_sheet(&[]),
            problems_sheet(&[]),
            checks_sheet(&[]),
            files_sheet(&[]),
        ];
        let dictionary = dictionary_sheet(&defs);
        let mut wb = Workbook::new();
        // Level 1: the workbook of a large corpus is written several times faster, ~10% larger.
        wb.set_zip_compression_level(1);
        let header = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_align(FormatAlign::Center);
        let mut states = Vec::new();
        // Rows per file, roughly: a report, ~30 indicators, ~8 classes, ~5 problems, ~6 checks, a file.
        let per_file = [1, 0, 1, 40, 10, 8, 10, 1, 0];
        for (i, sheet) in defs.into_iter().chain(std::iter::once(dictionary)).enumerate() {
            let streamed = expected_files.saturating_mul(per_file.get(i).copied().unwrap_or(0)) > STREAM_ABOVE_ROWS;
            let ws = if streamed {
                wb.add_worksheet_with_constant_memory().map_err(|e| e.to_string())?
            } else {
                wb.add_worksheet()
            };
            ws.set_name(sheet.name).map_err(|e| e.to_string())?;
            for (c, column) in sheet.cols.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, &column.zh, &header)
                    .map_err(|e| e.to_string())?;
            }
            let n_cols = sheet.cols.len();
            states.push(State {
                name: sheet.name,
                table: sheet.table,
                parquet: sheet.parquet,
                widths: sheet.cols.iter().map(|c| width_of(&c.zh) + 4.0).collect(),
                cols: sheet.cols,
                rows: 0,
                dropped: 0,
                streamed,
                number_formats: vec![None; n_cols],
            });
        }
        wb.add_worksheet().set_name("图表").map_err(|e| e.to_string())?;
        Ok(Streamer {
            wb,
            states,
            max_rows: max_rows.max(1),
            formats: NumberFormats {
                amount: Format::new().set_num_format("#,##0.00"),
                pct: Format::new().set_num_format("0.00%"),
                int: Format::new().set_num_format("0"),
            },
        })
    }

    /// One batch of reports and files, in source_path order. The 指标得分
    /// sheet, about two thirds of the cells, is written on a thread of its
    /// own beside the other sheets: the workbook is the slowest of the
    /// writers, and a re-run from the cache (no report to read) waits for it.
    pub fn push(&mut self, reports: &[Report], files: &[FileRecord]) -> Result<(), String> {
        let (max_rows, formats) = (self.max_rows, &self.formats);
        let mut indicators = None;
        let mut others = Vec::new();
        for (idx, sheet) in self
            .wb
            .worksheets_mut()
            .iter_mut()
            .zip(self.states.iter_mut())
            .enumerate()
        {
            match idx {
                INDICATORS => indicators = Some(sheet),
                REPORTS | FUNCTIONS | PROBLEMS | CHECKS | FILES => others.push((idx, sheet)),
                _ => {}
            }
        }
        let Some((indicators_ws, indicators_state)) = indicators else {
            return Err("the workbook has no 指标得分 sheet".into());
        };
        let (written, indicators_written) = super::beside(
            "jixiao-workbook-indicators",
            "指标得分",
            move || {
                append_rows(
                    indicators_ws,
                    indicators_state,
                    max_rows,
                    formats,
                    indicators_sheet(reports).rows,
                )
            },
            || {
                for (idx, (ws, state)) in others {
                    let rows = match idx {
                        REPORTS => reports_sheet(reports).rows,
                        FUNCTIONS => functions_sheet(reports).rows,
                        PROBLEMS => problems_sheet(reports).rows,
                        CHECKS => checks_sheet(reports).rows,
                        FILES => files_sheet(files).rows,
                        _ => continue,
                    };
                    append_rows(ws, state, max_rows, formats, rows)?;
                }
                Ok(())
            },
        );
        written.and(indicators_written)
    }

    /// Checks made after the last batch (across files), after the others.
    pub fn push_checks(&mut self, rows: &[(&ReportDigest, Check)]) -> Result<(), String> {
        let rows = rows
            .iter()
            .map(|(r, c)| {
                let who = [
                    text(&r.report_id),
                    opt_text(r.department.as_deref()),
                    opt_text(r.county.as_deref().or(r.city.as_deref())),
                    opt_int(r.fiscal_year.map(i64::from)),
                ];
                check_row(who, c)
            })
            .collect();
        self.append(CHECKS, rows)
    }

    fn append(&mut self, idx: usize, rows: Vec<Vec<Cell>>) -> Result<(), String> {
        let Some(state) = self.states.get_mut(idx) else {
            return Ok(());
        };
        let ws = self.wb.worksheet_from_index(idx).map_err(|e| e.to_string())?;
        append_rows(ws, state, self.max_rows, &self.formats, rows)
    }

    /// The region summary, the panel and the dictionary; tables, widths, charts; save.
    pub fn finish(mut self, regions: &[RegionSummary], panel: &[PanelRow], path: &Path) -> Result<(), String> {
        self.append(SUMMARY, summary_sheet(regions).rows)?;
        self.append(PANEL, panel_sheet(panel).rows)?;
        let defs: Vec<Sheet> = self
            .states
            .iter()
            .take(DICTIONARY)
            .map(|s| Sheet {
                name: s.name,
                table: s.table,
                parquet: s.parquet,
                cols: s.cols.iter().map(|c| col(&c.zh, &c.en, &c.unit, &c.meaning)).collect(),
                rows: Vec::new(),
            })
            .collect();
        self.append(DICTIONARY, dictionary_sheet(&defs).rows)?;
        for idx in 0..self.states.len() {
            let ws = self.wb.worksheet_from_index(idx).map_err(|e| e.to_string())?;
            finish_sheet(ws, &self.states[idx]).map_err(|e| format!("sheet {}: {e}", self.states[idx].name))?;
        }
        let (reports, regions_n) = (self.states[REPORTS].rows, self.states[SUMMARY].rows);
        let chart_sheet = self
            .wb
            .worksheet_from_index(self.states.len())
            .map_err(|e| e.to_string())?;
        charts(chart_sheet, &self.states, regions_n as usize, reports as usize).map_err(|e| e.to_string())?;
        self.wb.save(path).map_err(|e| e.to_string())
    }
}

/// Rows appended to one sheet, up to `max_rows` (the rest are counted as dropped).
fn append_rows(
    ws: &mut Worksheet,
    state: &mut State,
    max_rows: u32,
    formats: &NumberFormats,
    rows: Vec<Vec<Cell>>,
) -> Result<(), String> {
    for row in rows {
        if state.rows >= max_rows {
            state.dropped += 1;
            continue;
        }
        state.rows += 1;
        let r = state.rows;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let (number, w) = match cell {
                Cell::Text(s) => {
                    ws.write_string(r, col, s.as_ref()).map_err(|e| e.to_string())?;
                    (None, width_of(s))
                }
                Cell::Num(v) => (Some((*v, NumberKind::Amount)), 12.0),
                Cell::Int(v) => (Some((*v as f64, NumberKind::Int)), 8.0),
                Cell::Pct(v) => (Some((*v, NumberKind::Pct)), 9.0),
                Cell::Empty => (None, 0.0),
            };
            if let Some((v, kind)) = number {
                // A number of its column's kind takes the column's format:
                // the same style in the file, without rust_xlsxwriter
                // hashing a `Format` for every cell (a few % of a run).
                let format = match kind {
                    NumberKind::Amount => &formats.amount,
                    NumberKind::Int => &formats.int,
                    NumberKind::Pct => &formats.pct,
                };
                let column_kind = match state.number_formats.get_mut(c) {
                    Some(slot @ None) => {
                        ws.set_column_format(col, format).map_err(|e| e.to_string())?;
                        Some(*slot.insert(kind))
                    }
                    Some(Some(k)) => Some(*k),
                    None => None,
                };
                if column_kind == Some(kind) {
                    ws.write_number(r, col, v).map_err(|e| e.to_string())?;
                } else {
                    ws.write_number_with_format(r, col, v, format)
                        .map_err(|e| e.to_string())?;
                }
            }
            if let Some(slot) = state.widths.get_mut(c) {
                *slot = slot.max(w + 1.0);
            }
        }
    }
    Ok(())
}

fn opt_text(v: Option<&str>) -> Cell<'_> {
    v.map_or(Cell::Empty, text)
}

fn opt_num(v: Option<f64>) -> Cell<'static> {
    v.map_or(Cell::Empty, Cell::Num)
}

fn opt_int(v: Option<i64>) -> Cell<'static> {
    v.map_or(Cell::Empty, Cell::Int)
}

/// Department and year of a report, repeated on the detail sheets.
fn who(r: &Report) -> [Cell<'_>; 4] {
    [
        text(&r.report_id),
        opt_text(r.facts.text(Field::Department)),
        opt_text(r.facts.text(Field::County).or(r.facts.text(Field::City))),
        opt_int(r.facts.num(Field::FiscalYear).map(|v| v as i64)),
    ]
}

fn who_cols() -> Vec<Col> {
    vec![
        col("报告编号", "report_id", "", "文件内容 SHA-256 的前 16 位"),
        col("部门（单位）", "department", "", "报告所称的部门全称（来自 reports）"),
        col(
            "县（区）/市",
            "county",
            "",
            "部门所属县级行政区，市级部门为地级市（来自 reports）",
        ),
        col("年度", "fiscal_year", "年", "报告评价的年度（来自 reports）"),
    ]
}

fn reports_sheet(reports: &[Report]) -> Sheet<'_> {
    let mut cols = vec![
        col("报告编号", "report_id", "", "文件内容 SHA-256 的前 16 位"),
        col("文件路径", "source_path", "", "相对于输入目录的路径"),
        col(
            "评分体系",
            "score_scheme",
            "",
            "部分得分与指标所属的评分体系（预算编制·预算执行·资金使用效益 或 决策·过程·产出·效益）",
        ),
    ];
    for f in Field::ALL {
        cols.push(col(f.label_zh(), f.name(), f.unit_zh(), f.meaning_zh()));
    }
    cols.push(col("存在问题（条）", "problems_count", "条", "“存在问题”下列出的条数"));
    cols.push(col(
        "推算字段",
        "derived_fields",
        "",
        "由报告所述数字推算（非原文直接写明）的字段",
    ));
    let rows = reports
        .iter()
        .map(|r| {
            let mut row = vec![
                text(&r.report_id),
                text(&r.source_path),
                opt_text(r.facts.score_scheme.as_deref()),
            ];
            for f in Field::ALL {
                row.push(match f.kind() {
                    FieldKind::Text => opt_text(r.facts.text(f)),
                    FieldKind::Year | FieldKind::Count => opt_int(r.facts.num(f).map(|v| v as i64)),
                    FieldKind::Rate => r.facts.num(f).map_or(Cell::Empty, Cell::Pct),
                    _ => opt_num(r.facts.num(f)),
                });
            }
            row.push(Cell::Int(r.facts.problems.len() as i64));
            let derived: Vec<&str> = r
                .facts
                .facts
                .iter()
                .filter(|x| x.derived)
                .filter_map(|x| Field::from_name(&x.field).map(Field::label_zh))
                .collect();
            row.push(Cell::Text(derived.join("、").into()));
            row
        })
        .collect();
    Sheet {
        name: "报告",
        table: "Reports",
        parquet: "reports.parquet",
        cols,
        rows,
    }
}

fn summary_sheet(regions: &[RegionSummary]) -> Sheet<'_> {
    let m = |zh: &str, en: &str, meaning: &str| col(zh, en, "万元", meaning);
    let cols = vec![
        col("地区", "—", "", "县（区）或市，加年度（图表的分类）"),
        col("省", "province", "", "省级行政区"),
        col("市", "city", "", "地级行政区"),
        col("县（区）", "county", "", "县级行政区；市级部门为空"),
        col("年度", "fiscal_year", "年", "评价年度"),
        col("报告数", "reports", "份", "该地区该年度的报告数"),
        col(
            "部门数",
            "departments",
            "个",
            "报告所属的部门数（同一部门报送多份只计一次；未识别部门的报告各计一个）",
        ),
        col(
            "报告数据不一致的部门数",
            "departments_in_conflict",
            "个",
            "同一部门多份报告所载数字不同：该数字不计入合计",
        ),
        m("收入合计（万元）", "revenue_total", "各部门收入合计之和"),
        m("支出合计（万元）", "expenditure_total", "各部门支出合计之和"),
        m("基本支出（万元）", "expenditure_basic", "各部门基本支出之和"),
        m("项目支出（万元）", "expenditure_project", "各部门项目支出之和"),
        m(
            "“三公”经费决算（万元）",
            "three_public_actual",
            "各部门“三公”经费决算之和",
        ),
        m(
            "“三公”经费预算（万元）",
            "three_public_budget",
            "各部门“三公”经费预算之和",
        ),
        col(
            "“三公”经费控制率",
            "three_public_ratio",
            "比率",
            "决算之和 ÷ 预算之和（只计两者都有的部门）",
        ),
        col("平均得分", "score_mean", "分", "各部门自评得分平均值"),
        col("最低得分", "score_min", "分", "各部门自评得分最低值"),
        col("最高得分", "score_max", "分", "各部门自评得分最高值"),
        col(
            "有错误的报告数",
            "reports_with_errors",
            "份",
            "有“错误”级校验结果的报告数",
        ),
        col("上一年度", "previous_year", "年", "同一地区在语料中的上一年度"),
        m(
            "支出合计变化（万元）",
            "expenditure_total_change",
            "与上一年度相比的变化",
        ),
        m(
            "“三公”经费决算变化（万元）",
            "three_public_actual_change",
            "与上一年度相比的变化",
        ),
        col("平均得分变化", "score_mean_change", "分", "与上一年度相比的变化"),
    ];
    let rows = regions
        .iter()
        .map(|r| {
            let place = r
                .county
                .as_deref()
                .or(r.city.as_deref())
                .or(r.province.as_deref())
                .unwrap_or("未知地区");
            let label = match r.fiscal_year {
                Some(y) => format!("{place} {y}"),
                None => place.to_string(),
            };
            vec![
                Cell::Text(label.into()),
                opt_text(r.province.as_deref()),
                opt_text(r.city.as_deref()),
                opt_text(r.county.as_deref()),
                opt_int(r.fiscal_year.map(i64::from)),
                Cell::Int(r.reports),
                Cell::Int(r.departments),
                Cell::Int(r.departments_in_conflict),
                opt_num(r.revenue_total),
                opt_num(r.expenditure_total),
                opt_num(r.expenditure_basic),
                opt_num(r.expenditure_project),
                opt_num(r.three_public_actual),
                opt_num(r.three_public_budget),
                r.three_public_ratio.map_or(Cell::Empty, Cell::Pct),
                opt_num(r.score_mean),
                opt_num(r.score_min),
                opt_num(r.score_max),
                Cell::Int(r.reports_with_errors),
                opt_int(r.previous_year.map(i64::from)),
                opt_num(r.expenditure_total_change),
                opt_num(r.three_public_actual_change),
                opt_num(r.score_mean_change),
            ]
        })
        .collect();
    Sheet {
        name: "汇总",
        table: "Summary",
        parquet: "summary_by_region.parquet",
        cols,
        rows,
    }
}

fn panel_sheet(panel: &[PanelRow]) -> Sheet<'_> {
    let cols = vec![
        col("部门（单位）", "department", "", "部门全称"),
        col("省", "province", "", "省级行政区"),
        col("市", "city", "", "地级行政区"),
        col("县（区）", "county", "", "县级行政区"),
        col("年度", "fiscal_year", "年", "评价年度"),
        col(
            "报告编号",
            "report_id",
            "",
            "该年度报告的编号（同一年度多份报告以逗号分隔，所载数字不同者留空）",
        ),
        col("支出合计（万元）", "expenditure_total", "万元", "该年度支出合计"),
        col(
            "“三公”经费决算（万元）",
            "three_public_actual",
            "万元",
            "该年度“三公”经费决算",
        ),
        col("自评得分（分）", "score_total", "分", "该年度自评得分"),
        col("上一年度", "—", "年", "该部门在语料中的上一年度"),
        col("支出合计变化（万元）", "—", "万元", "与上一年度相比"),
        col("“三公”经费决算变化（万元）", "—", "万元", "与上一年度相比"),
        col("得分变化（分）", "—", "分", "与上一年度相比"),
    ];
    let rows = panel
        .iter()
        .map(|p| {
            vec![
                text(&p.department),
                opt_text(p.province.as_deref()),
                opt_text(p.city.as_deref()),
                opt_text(p.county.as_deref()),
                Cell::Int(i64::from(p.fiscal_year)),
                text(&p.report_id),
                opt_num(p.expenditure_total),
                opt_num(p.three_public_actual),
                opt_num(p.score_total),
                opt_int(p.previous_year.map(i64::from)),
                opt_num(p.expenditure_total_change),
                opt_num(p.three_public_actual_change),
                opt_num(p.score_change),
            ]
        })
        .collect();
    Sheet {
        name: "历年对比",
        table: "Panel",
        parquet: "reports.parquet",
        cols,
        rows,
    }
}

fn indicators_sheet(reports: &[Report]) -> Sheet<'_> {
    let mut cols = who_cols();
    cols.extend([
        col(
            "部分",
            "section",
            "",
            "预算编制情况 / 预算执行情况 / 资金使用效益 / 加减分",
        ),
        col("指标", "indicator", "", "指标名称"),
        col("分值", "max_score", "分", "指标满分（报告未写明则为空）"),
        col("得分", "score", "分", "自评得分"),
        col("失分", "—", "分", "分值 − 得分"),
        col("上级指标", "parent", "", "所属的上一级指标"),
        col("原文", "snippet", "", "得分所在的句子"),
    ]);
    let rows = reports
        .iter()
        .flat_map(|r| {
            r.facts.indicators.iter().map(move |i| {
                let mut row: Vec<Cell> = who(r).into_iter().collect();
                row.extend([
                    text(&i.section),
                    text(&i.indicator),
                    opt_num(i.max_score),
                    opt_num(i.score),
                    opt_num(i.max_score.zip(i.score).map(|(m, s)| m - s)),
                    opt_text(i.parent.as_deref()),
                    text(&i.snippet),
                ]);
                row
            })
        })
        .collect();
    Sheet {
        name: "指标得分",
        table: "Indicators",
        parquet: "indicators.parquet",
        cols,
        rows,
    }
}

fn functions_sheet(reports: &[Report]) -> Sheet<'_> {
    let mut cols = who_cols();
    cols.extend([
        col(
            "功能分类",
            "function_class",
            "",
            "政府收支分类科目（支出功能分类，类级）",
        ),
        col("金额（万元）", "amount", "万元", "该类支出金额"),
        col("原文", "snippet", "", "金额所在的句子"),
    ]);
    let rows = reports
        .iter()
        .flat_map(|r| {
            r.facts.functions.iter().map(move |f| {
                let mut row: Vec<Cell> = who(r).into_iter().collect();
                row.extend([text(&f.function_class), Cell::Num(f.amount), text(&f.snippet)]);
                row
            })
        })
        .collect();
    Sheet {
        name: "支出功能分类",
        table: "Functions",
        parquet: "expenditure_by_function.parquet",
        cols,
        rows,
    }
}

fn problems_sheet(reports: &[Report]) -> Sheet<'_> {
    let mut cols = who_cols();
    cols.extend([
        col("序号", "—", "", "报告中的第几条"),
        col("存在问题", "problems", "", "“存在问题”下的一条"),
    ]);
    let rows = reports
        .iter()
        .flat_map(|r| {
            r.facts.problems.iter().enumerate().map(move |(i, p)| {
                let mut row: Vec<Cell> = who(r).into_iter().collect();
                row.extend([Cell::Int(i as i64 + 1), text(p)]);
                row
            })
        })
        .collect();
    Sheet {
        name: "存在问题",
        table: "Problems",
        parquet: "reports.parquet",
        cols,
        rows,
    }
}

fn severity_zh(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "警告",
        Severity::Info => "提示",
    }
}

fn checks_sheet(reports: &[Report]) -> Sheet<'_> {
    let mut cols = who_cols();
    cols.extend([
        col("严重程度", "severity", "", "错误 = error，警告 = warning，提示 = info"),
        col("校验项", "check", "", "校验的固定编号"),
        col("说明", "message", "", "发现了什么、差多少"),
        col("涉及字段", "fields", "", "所涉及的字段"),
        col("涉及数值", "values", "", "所涉及的数字"),
    ]);
    let rows = reports
        .iter()
        .flat_map(|r| r.facts.checks.iter().map(move |c| check_row(who(r), c)))
        .collect();
    Sheet {
        name: "校验",
        table: "Checks",
        parquet: "checks.parquet",
        cols,
        rows,
    }
}

fn check_row<'a>(who: [Cell<'a>; 4], c: &'a Check) -> Vec<Cell<'a>> {
    let mut row: Vec<Cell> = who.into_iter().collect();
    row.extend([
        Cell::Text(severity_zh(c.severity).into()),
        text(&c.check),
        text(&c.message),
        Cell::Text(c.fields.join("、").into()),
        Cell::Text(c.values.join("、").into()),
    ]);
    row
}

fn files_sheet(files: &[FileRecord]) -> Sheet<'_> {
    let cols = vec![
        col("文件路径", "source_path", "", "相对于输入目录的路径"),
        col("格式", "source_format", "", "文件扩展名"),
        col("大小（字节）", "bytes", "字节", "文件大小"),
        col(
            "状态",
            "status",
            "",
            "已读取 = ok，失败 = failed，跳过 = skipped，重复 = duplicate",
        ),
        col("说明", "error", "", "失败、跳过或重复的原因"),
        col("报告编号", "report_id", "", "读取成功（或重复）时的报告编号"),
        col("编码", "encoding", "", "检测到的文字编码"),
        col("SHA-256", "sha256", "", "文件内容的 SHA-256"),
    ];
    let status_zh = |s: FileStatus| match s {
        FileStatus::Ok => "已读取",
        FileStatus::Failed => "失败",
        FileStatus::Skipped => "跳过",
        FileStatus::Duplicate => "重复",
    };
    let rows = files
        .iter()
        .map(|f| {
            vec![
                text(&f.source_path),
                text(&f.source_format),
                Cell::Int(f.bytes as i64),
                Cell::Text(status_zh(f.status).into()),
                opt_text(f.error.as_deref()),
                opt_text(f.report_id.as_deref()),
                opt_text(f.encoding.as_deref()),
                opt_text(f.sha256.as_deref()),
            ]
        })
        .collect();
    Sheet {
        name: "文件",
        table: "Files",
        parquet: "files.parquet",
        cols,
        rows,
    }
}

/// 字段说明: every column of every sheet.
/// (Owned text: the dictionary outlives the sheet definitions it describes.)
fn dictionary_sheet(sheets: &[Sheet]) -> Sheet<'static> {
    let cols = vec![
        col("工作表", "—", "", ""),
        col("列名", "—", "", ""),
        col("Parquet 文件", "—", "", ""),
        col("Parquet 列名", "—", "", ""),
        col("单位", "—", "", ""),
        col("含义", "—", "", ""),
    ];
    let rows = sheets
        .iter()
        .flat_map(|s| {
            s.cols.iter().map(move |c| {
                vec![
                    Cell::Text(s.name.into()),
                    Cell::Text(c.zh.clone().into()),
                    Cell::Text(s.parquet.into()),
                    Cell::Text(c.en.clone().into()),
                    Cell::Text(c.unit.clone().into()),
                    Cell::Text(c.meaning.clone().into()),
                ]
            })
        })
        .collect();
    Sheet {
        name: "字段说明",
        table: "Dictionary",
        parquet: "—",
        cols,
        rows,
    }
}

/// Display width of a text (CJK counts two), up to the widest a column is set to.
fn width_of(s: &str) -> f64 {
    let mut w = 0.0;
    for c in s.chars() {
        w += if c.is_ascii() { 1.0 } else { 2.0 };
        if w >= MAX_WIDTH {
            break;
        }
    }
    w
}

/// Columns are never set wider than this.
const MAX_WIDTH: f64 = 60.0;

/// Widths, the Excel table (or a plain filter when empty), frozen header, colours.
fn finish_sheet(ws: &mut Worksheet, state: &State) -> Result<(), XlsxError> {
    for (c, w) in state.widths.iter().enumerate() {
        ws.set_column_width(c as u16, w.min(MAX_WIDTH))?;
    }
    let last_col = state.cols.len().saturating_sub(1) as u16;
    if state.rows == 0 || state.streamed {
        ws.autofilter(0, 0, state.rows, last_col)?;
    } else {
        // The header cells were written first with the same captions.
        let header = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_align(FormatAlign::Center);
        let columns: Vec<TableColumn> = state
            .cols
            .iter()
            .map(|c| TableColumn::new().set_header(&c.zh).set_header_format(&header))
            .collect();
        let table = Table::new()
            .set_name(state.table)
            .set_style(TableStyle::Medium2)
            .set_columns(&columns);
        ws.add_table(0, 0, state.rows, last_col, &table)?;
    }
    if state.dropped > 0 {
        ws.write_string(
            state.rows + 2,
            0,
            format!(
                "另有 {} 行未列出（工作表行数上限）；完整数据见 {}",
                state.dropped, state.parquet
            ),
        )?;
    }
    ws.set_freeze_panes(1, 0)?;
    if state.name == "校验" {
        colour_severity(ws, state)?;
    }
    Ok(())
}

/// 校验: errors red, warnings amber, notes blue.
fn colour_severity(ws: &mut Worksheet, sheet: &State) -> Result<(), XlsxError> {
    let Some(col) = sheet.cols.iter().position(|c| c.en == "severity") else {
        return Ok(());
    };
    if sheet.rows == 0 {
        return Ok(());
    }
    let last = sheet.rows;
    let col = col as u16;
    for (word, fill, font) in [
        ("错误", "#FFC7CE", "#9C0006"),
        ("警告", "#FFEB9C", "#9C5700"),
        ("提示", "#DDEBF7", "#1F4E78"),
    ] {
        let f = ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::Contains(word.into()))
            .set_format(Format::new().set_background_color(fill).set_font_color(font));
        ws.add_conditional_format(1, col, last, col, &f)?;
    }
    Ok(())
}

/// 图表: score distribution by region, and “三公” budget vs actual by department.
fn charts(ws: &mut Worksheet, sheets: &[State], regions: usize, reports: usize) -> Result<(), XlsxError> {
    ws.write_string(
        0,
        0,
        "图表的数据来自“汇总”和“报告”工作表；“三公”经费图只列前 40 份报告。",
    )?;
    let col_of = |sheet: &str, en: &str| -> Option<u16> {
        sheets
            .iter()
            .find(|s| s.name == sheet)
            .and_then(|s| s.cols.iter().position(|c| c.en == en))
            .map(|c| c as u16)
    };
    if regions > 0 {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name("各地区自评得分（最低 / 平均 / 最高）");
        let last = regions as u32;
        for (en, name) in [
            ("score_min", "最低得分"),
            ("score_mean", "平均得分"),
            ("score_max", "最高得分"),
        ] {
            if let Some(c) = col_of("汇总", en) {
                chart
                    .add_series()
                    .set_name(name)
                    .set_categories(("汇总", 1, 0, last, 0))
                    .set_values(("汇总", 1, c, last, c));
            }
        }
        chart.y_axis().set_name("分");
        ws.insert_chart(2, 0, &chart)?;
    }
    if reports > 0 {
        let last = reports.min(CHART_MAX_REPORTS) as u32;
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name("各部门“三公”经费预算与决算（万元）");
        let dept = col_of("报告", "department").unwrap_or(1);
        for (en, name) in [("three_public_budget", "预算"), ("three_public_actual", "决算")] {
            if let Some(c) = col_of("报告", en) {
                chart
                    .add_series()
                    .set_name(name)
                    .set_categories(("报告", 1, dept, last, dept))
                    .set_values(("报告", 1, c, last, c));
            }
        }
        ws.insert_chart(2, 9, &chart)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::{Engine, Rules};

    fn reports(n: usize) -> Vec<Report> {
        let engine = Engine::new(Rules::bundled().unwrap()).unwrap();
        let text = include_str!("../../tests/fixtures/reports/002_673b39950d73d57f.txt");
        let (_, facts) = engine.facts_of_text(text);
        (0..n)
            .map(|i| Report {
                report_id: format!("{i:016}"),
                source_path: format!("r{i}.txt"),
                source_format: "txt".into(),
                facts: facts.clone(),
            })
            .collect()
    }

    fn sheet_xml(path: &Path, n: usize) -> String {
        let bytes = std::fs::read(path).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{n}.xml"))
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn large_sheets_stream_with_a_plain_filter_and_a_capped_row_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.xlsx");
        // A million files expected: every detail sheet streams; at most 3 rows per sheet.
        let mut s = Streamer::new(3, 1_000_000).unwrap();
        s.push(&reports(5), &[]).unwrap();
        s.finish(&[], &[], &path).unwrap();
        let xml = sheet_xml(&path, 1);
        assert!(xml.contains("<autoFilter"), "streamed sheets get a plain filter");
        assert!(!xml.contains("tablePart"), "no Excel table over a streamed sheet");
        assert!(xml.contains("另有 2 行未列出"), "the cap is stated on the sheet");
    }

    #[test]
    fn batches_stream_every_sheet_in_order_with_indicators_written_beside_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.xlsx");
        let mut s = Streamer::new(1_000_000, 1_000_000).unwrap();
        let all = reports(6);
        let per_report = all[0].facts.indicators.len();
        assert!(per_report > 1, "the fixture has indicators");
        s.push(&all[..3], &[]).unwrap();
        s.push(&all[3..], &[]).unwrap();
        s.finish(&[], &[], &path).unwrap();
        // Column A of each data row: the report id, in push order.
        let ids = |xml: &str| -> Vec<String> {
            xml.split("<row ")
                .skip(2)
                .filter_map(|row| {
                    let cell = row.split("<c r=\"A").nth(1)?;
                    let text = cell.split("<t>").nth(1)?;
                    Some(text.split("</t>").next()?.to_string())
                })
                .collect()
        };
        let want: Vec<String> = all.iter().map(|r| r.report_id.clone()).collect();
        assert_eq!(ids(&sheet_xml(&path, 1)), want, "报告: one row per report, in order");
        let indicators = ids(&sheet_xml(&path, INDICATORS + 1));
        let want_indicators: Vec<String> = want
            .iter()
            .flat_map(|id| std::iter::repeat_n(id.clone(), per_report))
            .collect();
        assert_eq!(
            indicators, want_indicators,
            "指标得分: each report's indicators, in order"
        );
    }

    #[test]
    fn small_sheets_are_excel_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.xlsx");
        let mut s = Streamer::new(1_000_000, 10).unwrap();
        s.push(&reports(2), &[]).unwrap();
        s.finish(&[], &[], &path).unwrap();
        assert!(sheet_xml(&path, 1).contains("tablePart"));
    }
}
