//! Tables written as plain text: cells split by tabs (a sheet saved as
//! 文本文件(制表符分隔), or copied out of Excel or WPS) or by `|` (a Markdown
//! table, or a Word table pasted as text). A scoring table among them is read
//! as a workbook's sheet is ([`sheet::scoring_table`]), so a `.txt` report
//! carrying its 自评表 gives indicators and the table's total, not just text.

use crate::config::ScoreRules;
use crate::model::{Indicator, TableTotal};

use super::sheet;

/// A line of text, seen as a table row.
#[derive(Debug, PartialEq)]
enum Line {
    /// Three or more cells (empty ones kept, so columns stay in line).
    Row(Vec<String>),
    /// A Markdown rule (`|---|:---:|`): inside a table, not a row of it.
    Rule,
    Other,
}

fn line(l: &str) -> Line {
    let l = l.trim_end_matches('\r');
    let cells: Vec<&str> = if l.contains('\t') {
        l.split('\t').collect()
    } else if l.contains(['|', '｜']) {
        let l = l.trim();
        // A Markdown row's outer bars delimit nothing.
        let l = l.strip_prefix(['|', '｜']).unwrap_or(l);
        let l = l.strip_suffix(['|', '｜']).unwrap_or(l);
        l.split(['|', '｜']).collect()
    } else {
        return Line::Other;
    };
    let cells: Vec<String> = cells.iter().map(|c| c.trim().to_string()).collect();
    let filled = cells.iter().filter(|c| !c.is_empty()).count();
    if cells.len() < 3 || filled == 0 {
        return Line::Other;
    }
    let rule = |c: &String| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '));
    if cells.iter().filter(|c| !c.is_empty()).all(rule) {
        return Line::Rule;
    }
    if filled < 2 {
        return Line::Other;
    }
    Line::Row(cells)
}

/// The tables of a text: runs of two or more consecutive row lines, each
/// row with the line it came from.
fn tables(text: &str) -> Vec<Vec<(Vec<String>, &str)>> {
    let mut out = Vec::new();
    let mut current: Vec<(Vec<String>, &str)> = Vec::new();
    for l in text.split(['\n', '\u{000C}']) {
        match line(l) {
            Line::Row(cells) => current.push((cells, l.trim())),
            Line::Rule => {}
            Line::Other => {
                if current.len() >= 2 {
                    out.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        out.push(current);
    }
    out
}

/// The indicators and total rows of the scoring tables a text holds. A
/// total's row is the line as the text has it, so that extraction finds it.
pub(crate) fn scoring_tables(text: &str, score: &ScoreRules) -> (Vec<Indicator>, Vec<TableTotal>) {
    let (mut indicators, mut totals) = (Vec::new(), Vec::new());
    // Most reports hold no table at all: one quick look decides.
    // (Byte searches: a char-set search decodes every char of the text.)
    let b = text.as_bytes();
    if !(b.contains(&b'\t') || b.contains(&b'|') || text.contains('｜')) {
        return (indicators, totals);
    }
    for table in tables(text) {
        let rows: Vec<Vec<String>> = table.iter().map(|(cells, _)| cells.clone()).collect();
        let Some(found) = sheet::scoring_table(&rows, score) else {
            continue;
        };
        indicators.extend(found.indicators);
        for mut t in found.totals {
            // scoring_table names a row by its non-empty cells; the text's line is what extraction finds.
            let Some((_, raw)) = table.iter().find(|(cells, _)| sheet::row_line(cells) == t.row) else {
                continue;
            };
            t.row = (*raw).to_string();
            totals.push(t);
        }
    }
    (indicators, totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score_rules() -> ScoreRules {
        crate::config::Rules::bundled().unwrap().config.score
    }

    #[test]
    fn lines_split_by_tabs_or_bars_are_rows() {
        let row = |v: &[&str]| Line::Row(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(line("合计\t\t\t100\t92"), row(&["合计", "", "", "100", "92"]));
        assert_eq!(line("| 指标 | 分值 | 得分 |"), row(&["指标", "分值", "得分"]));
        assert_eq!(line("合计 |  |  | 100 | 92\r"), row(&["合计", "", "", "100", "92"]));
        assert_eq!(line("指标｜分值｜得分"), row(&["指标", "分值", "得分"]));
        assert_eq!(line("|---|:---:|---|"), Line::Rule);
        // Two cells, one filled cell, or prose are not rows.
        assert_eq!(line("收入 | 585.91"), Line::Other);
        assert_eq!(line("单位 | | |"), Line::Other);
        assert_eq!(line("收入合计 585.91 万元，支出合计 823.55 万元"), Line::Other);
    }

    #[test]
    fn a_tab_separated_scoring_table_gives_indicators_and_its_total() {
        let text = "某县财政局2023年度部门整体支出绩效自评表\n\
                    一级指标\t二级指标\t三级指标\t分值\t自评得分\n\
                    决策\t目标设定\t绩效目标合理性\t5\t5\n\
                    \t\t绩效指标明确性\t5\t4\n\
                    过程\t资金管理\t预算执行率\t10\t9.5\n\
                    合计\t\t\t100\t92\n\
                    \n\
                    二、存在的问题\n";
        let (indicators, totals) = scoring_tables(text, &score_rules());
        let got: Vec<String> = indicators
            .iter()
            .map(|i| format!("{} {:?} {:?} {:?}", i.indicator, i.parent, i.max_score, i.score))
            .collect();
        assert_eq!(
            got,
            [
                r#"绩效目标合理性 Some("目标设定") Some(5.0) Some(5.0)"#,
                r#"绩效指标明确性 Some("目标设定") Some(5.0) Some(4.0)"#,
                r#"预算执行率 Some("资金管理") Some(10.0) Some(9.5)"#,
            ]
        );
        assert_eq!(
            totals,
            [TableTotal {
                score: 92.0,
                max_score: Some(100.0),
                row: "合计\t\t\t100\t92".into(),
            }]
        );
    }

    #[test]
    fn a_markdown_table_is_read_and_other_tables_are_not_scoring_tables() {
        let text = "| 一级指标 | 三级指标 | 分值 | 得分 |\n|---|---|---|---|\n| 产出 | 完成率 | 20 | 18 |\n| 合计 | | 100 | 90 |\n";
        let (indicators, totals) = scoring_tables(text, &score_rules());
        assert_eq!(indicators.len(), 1);
        assert_eq!(indicators.first().map(|i| i.score), Some(Some(18.0)));
        assert_eq!(totals.first().map(|t| t.row.as_str()), Some("| 合计 | | 100 | 90 |"));
        // A money table has no 指标/得分 header; one row alone is no table.
        let money = "项目\t预算数\t决算数\n基本支出\t500\t480\n项目支出\t300\t290\n";
        assert_eq!(scoring_tables(money, &score_rules()), (Vec::new(), Vec::new()));
        let lone = "一级指标\t分值\t得分\n正文。\n";
        assert_eq!(scoring_tables(lone, &score_rules()), (Vec::new(), Vec::new()));
    }
}
