//! The workbook for spreadsheet users: the same tables with Chinese headers,
//! two-decimal amounts, frozen header rows, filters and fitted widths.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::RegionSummary;
use crate::model::{Field, FieldKind};
use crate::pipeline::RunData;

/// One cell of a sheet.
enum Cell {
    Text(String),
    Num(f64),
    Int(i64),
    Pct(f64),
    Empty,
}

/// How a column is formatted.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Amount,
    Int,
    Pct,
}

struct Sheet {
    name: &'static str,
    headers: Vec<(String, Kind)>,
    rows: Vec<Vec<Cell>>,
}

pub fn write(data: &RunData, regions: &[RegionSummary], path: &Path) -> Result<(), String> {
    let sheets = vec![reports_sheet(data), files_sheet(data), summary_sheet(regions)];
    let mut wb = Workbook::new();
    for s in &sheets {
        write_sheet(wb.add_worksheet(), s).map_err(|e| e.to_string())?;
    }
    wb.save(path).map_err(|e| e.to_string())
}

fn opt_text(v: Option<&str>) -> Cell {
    v.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
}

fn opt_num(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Num)
}

fn reports_sheet(data: &RunData) -> Sheet {
    let mut headers = vec![
        ("报告编号".to_string(), Kind::Text),
        ("文件路径".to_string(), Kind::Text),
    ];
    for f in Field::ALL {
        let kind = match f.kind() {
            FieldKind::Text => Kind::Text,
            FieldKind::Year | FieldKind::Count => Kind::Int,
            FieldKind::Rate => Kind::Pct,
            FieldKind::Money | FieldKind::Score => Kind::Amount,
        };
        headers.push((f.label_zh().to_string(), kind));
    }
    headers.push(("存在问题（条）".into(), Kind::Int));
    headers.push(("推算字段".into(), Kind::Text));
    let rows = data
        .reports
        .iter()
        .map(|r| {
            let mut row = vec![Cell::Text(r.report_id.clone()), Cell::Text(r.source_path.clone())];
            for f in Field::ALL {
                row.push(match f.kind() {
                    FieldKind::Text => opt_text(r.facts.text(f)),
                    FieldKind::Year | FieldKind::Count => r.facts.num(f).map_or(Cell::Empty, |v| Cell::Int(v as i64)),
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
            row.push(Cell::Text(derived.join("、")));
            row
        })
        .collect();
    Sheet {
        name: "报告",
        headers,
        rows,
    }
}

fn files_sheet(data: &RunData) -> Sheet {
    let headers = vec![
        ("文件路径".to_string(), Kind::Text),
        ("格式".to_string(), Kind::Text),
        ("大小（字节）".to_string(), Kind::Int),
        ("状态".to_string(), Kind::Text),
        ("说明".to_string(), Kind::Text),
        ("报告编号".to_string(), Kind::Text),
        ("编码".to_string(), Kind::Text),
        ("SHA-256".to_string(), Kind::Text),
    ];
    let status_zh = |s: crate::model::FileStatus| match s {
        crate::model::FileStatus::Ok => "已读取",
        crate::model::FileStatus::Failed => "失败",
        crate::model::FileStatus::Skipped => "跳过",
        crate::model::FileStatus::Duplicate => "重复",
    };
    let rows = data
        .files
        .iter()
        .map(|f| {
            vec![
                Cell::Text(f.source_path.clone()),
                Cell::Text(f.source_format.clone()),
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
        headers,
        rows,
    }
}

fn summary_sheet(regions: &[RegionSummary]) -> Sheet {
    let h = |s: &str, k| (s.to_string(), k);
    let headers = vec![
        h("省", Kind::Text),
        h("市", Kind::Text),
        h("县（区）", Kind::Text),
        h("年度", Kind::Int),
        h("报告数", Kind::Int),
        h("收入合计（万元）", Kind::Amount),
        h("支出合计（万元）", Kind::Amount),
        h("基本支出（万元）", Kind::Amount),
        h("项目支出（万元）", Kind::Amount),
        h("“三公”经费决算（万元）", Kind::Amount),
        h("“三公”经费预算（万元）", Kind::Amount),
        h("“三公”经费控制率", Kind::Pct),
        h("平均得分", Kind::Amount),
        h("最低得分", Kind::Amount),
        h("最高得分", Kind::Amount),
        h("有错误的报告数", Kind::Int),
    ];
    let rows = regions
        .iter()
        .map(|r| {
            vec![
                opt_text(r.province.as_deref()),
                opt_text(r.city.as_deref()),
                opt_text(r.county.as_deref()),
                r.fiscal_year.map_or(Cell::Empty, |y| Cell::Int(i64::from(y))),
                Cell::Int(r.reports),
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
            ]
        })
        .collect();
    Sheet {
        name: "汇总",
        headers,
        rows,
    }
}

/// Display width: CJK characters take two columns.
fn width_of(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum()
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    ws.set_name(sheet.name)?;
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center);
    let amount = Format::new().set_num_format("#,##0.00");
    let pct = Format::new().set_num_format("0.00%");
    let int = Format::new().set_num_format("0");
    let mut widths: Vec<f64> = sheet.headers.iter().map(|(h, _)| width_of(h) + 2.0).collect();
    for (c, (h, _)) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &header)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let w = match cell {
                Cell::Text(s) => {
                    ws.write_string(r, col, s)?;
                    width_of(s)
                }
                Cell::Num(v) => {
                    ws.write_number_with_format(r, col, *v, &amount)?;
                    12.0
                }
                Cell::Int(v) => {
                    ws.write_number_with_format(r, col, *v as f64, &int)?;
                    8.0
                }
                Cell::Pct(v) => {
                    ws.write_number_with_format(r, col, *v, &pct)?;
                    9.0
                }
                Cell::Empty => 0.0,
            };
            if let Some(slot) = widths.get_mut(c) {
                *slot = slot.max(w + 1.0);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, w.min(60.0))?;
    }
    let _ = sheet.headers.iter().map(|(_, k)| *k);
    ws.set_freeze_panes(1, 0)?;
    let last_col = sheet.headers.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, sheet.rows.len() as u32, last_col)?;
    Ok(())
}
