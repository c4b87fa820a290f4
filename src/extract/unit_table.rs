//! Amounts of a table whose unit is declared once above it (单位：万元), its
//! cells bare numbers: a Word table or a sheet the readers joined with ` | `.
//!
//! A cell counts only where both its row and its column say what it is: the
//! row's label is exactly a money keyword (支出合计, 基本支出, “三公”经费 …) and
//! the column's header names it actual (决算数) or budget (预算数), or the
//! table has a single column of numbers. Anything else is left unread: a
//! missing figure is better than a guessed one.

use super::amount::Unit;
use super::{Candidate, Candidates, Doc};
use crate::config::{Config, Variant};
use crate::model::{Field, Value};

/// One table row: its byte range in the text and its cells' byte ranges.
struct Row {
    start: usize,
    end: usize,
    cells: Vec<(usize, usize)>,
}

/// Candidates from every declared-unit table of the text (`fiscal_year`: the
/// report's, when known: a column headed with another year is not read).
pub(crate) fn candidates(doc: &Doc, cfg: &Config, fiscal_year: Option<i32>, cands: &mut Candidates) {
    let words = &cfg.unit_tables;
    // Most reports declare no unit: a few searches, not a look at every line.
    // (One pass for the brackets that close a unit, 预算数(万元), not one per unit.)
    let unit_in_brackets = || {
        doc.text.match_indices(')').any(|(i, _)| {
            let before = doc.text.get(..i).unwrap_or_default();
            cfg.units
                .keys()
                .any(|u| before.strip_suffix(u.as_str()).is_some_and(|b| b.ends_with('(')))
        })
    };
    if !words.declare_words.iter().any(|w| doc.text.contains(w.as_str())) && !unit_in_brackets() {
        return;
    }
    // (factor to 万元, header row, data rows) of the table being read.
    let mut table: Option<(f64, Option<Row>, Vec<Row>)> = None;
    let mut offset = 0;
    for line in doc.text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end_matches('\n');
        match (table.as_mut(), row_of(text, start)) {
            (Some((_, header, rows)), Some(row)) => {
                if header.is_none() && rows.is_empty() && !has_number(doc, &row) {
                    *header = Some(row);
                } else {
                    rows.push(row);
                }
            }
            (_, row) => {
                if let Some((factor, header, rows)) = table.take() {
                    read_table(doc, cfg, fiscal_year, factor, header.as_ref(), &rows, cands);
                }
                table = match row {
                    // 项目 | 预算数（万元） | 决算数（万元）: a header that declares the unit.
                    Some(row) => match header_unit(doc, &row, cfg) {
                        Some(f) => Some((f, Some(row), Vec::new())),
                        None => {
                            // 收入合计（万元） | 1234.56: a row whose label declares
                            // its unit is a table of its own.
                            if let Some(f) = label_unit(doc, &row, cfg) {
                                read_table(doc, cfg, fiscal_year, f, None, std::slice::from_ref(&row), cands);
                            }
                            None
                        }
                    },
                    None => declared_unit(text, &words.declare_words, cfg).map(|f| (f, None, Vec::new())),
                };
            }
        }
    }
    if let Some((factor, header, rows)) = table {
        read_table(doc, cfg, fiscal_year, factor, header.as_ref(), &rows, cands);
    }
}

/// The factor to 万元 of a line that ends declaring a unit (…单位:万元, (单位:元)).
fn declared_unit(line: &str, declare_words: &[String], cfg: &Config) -> Option<f64> {
    let line = line.trim().trim_end_matches([')', ']']).trim_end();
    let (at, word) = declare_words
        .iter()
        .filter_map(|w| line.rfind(w.as_str()).map(|at| (at, w)))
        .max_by_key(|(at, _)| *at)?;
    let unit = line.get(at + word.len()..)?.trim();
    cfg.units.get(unit).copied()
}

/// The factor to 万元 of a header row whose cells declare the unit in
/// brackets (预算数(万元) | 决算数(万元)): one unit, the same in every cell
/// that declares one, and no number in the row.
fn header_unit(doc: &Doc, row: &Row, cfg: &Config) -> Option<f64> {
    if has_number(doc, row) {
        return None;
    }
    let mut factor: Option<f64> = None;
    for &(a, b) in &row.cells {
        let Some(f) = cell_unit(doc.text.get(a..b).unwrap_or_default(), cfg) else {
            continue;
        };
        match factor {
            Some(g) if g != f => return None,
            _ => factor = Some(f),
        }
    }
    factor
}

/// The unit a cell declares in brackets at its end (预算数（万元）, 收入合计
/// （单位：元）): its factor to 万元.
fn cell_unit(cell: &str, cfg: &Config) -> Option<f64> {
    let (_, inner) = super::trailing_aside(cell)?;
    // (万元) or (单位:万元), as a line declares it.
    declared_unit(inner, &cfg.unit_tables.declare_words, cfg).or_else(|| cfg.units.get(inner.trim()).copied())
}

/// The factor to 万元 of a row whose label declares the unit (收入合计（万元）
/// | 1234.56), its other cells holding numbers.
fn label_unit(doc: &Doc, row: &Row, cfg: &Config) -> Option<f64> {
    let &(a, b) = row.cells.first()?;
    has_number(doc, row).then_some(())?;
    cell_unit(doc.text.get(a..b)?, cfg)
}

/// A line of ` | ` cells (outer bars of Markdown dropped). The normaliser
/// keeps a row a line of its own (a two-cell one only where both cells are
/// short and hold no sentence), so a line is one row.
fn row_of(line: &str, start: usize) -> Option<Row> {
    if !line.contains('|') {
        return None;
    }
    let mut cells = Vec::new();
    let mut from = 0;
    for (i, _) in line.match_indices('|').chain(std::iter::once((line.len(), ""))) {
        let cell = line.get(from..i).unwrap_or("");
        let lead = cell.len() - cell.trim_start().len();
        let trimmed = cell.trim();
        cells.push((start + from + lead, start + from + lead + trimmed.len()));
        from = i + 1;
    }
    // Markdown's outer bars leave an empty first and last cell. (One empty
    // end is a cell: a Word table's blank top-left corner keeps its column.)
    let empty = |c: Option<&(usize, usize)>| c.is_some_and(|(a, b)| a == b);
    if cells.len() >= 3 && empty(cells.first()) && empty(cells.last()) {
        cells.pop();
        cells.remove(0);
    }
    (cells.len() >= 2).then_some(Row {
        start,
        end: start + line.trim_end().len(),
        cells,
    })
}

/// The bare number a cell holds, when it holds exactly one and nothing else.
fn cell_number(doc: &Doc, (a, b): (usize, usize)) -> Option<f64> {
    match doc.numbers_in(a, b) {
        [n] if n.unit == Unit::Bare && n.start == a && n.end == b => Some(n.value),
        _ => None,
    }
}

fn has_number(doc: &Doc, row: &Row) -> bool {
    row.cells.iter().any(|&c| cell_number(doc, c).is_some())
}

fn read_table(
    doc: &Doc,
    cfg: &Config,
    fiscal_year: Option<i32>,
    factor: f64,
    header: Option<&Row>,
    rows: &[Row],
    cands: &mut Candidates,
) {
    let words = &cfg.unit_tables;
    // A header cell's text, when the table has a header and that column.
    let head = |i: usize| -> Option<&str> {
        let &(a, b) = header?.cells.get(i)?;
        doc.text.get(a..b)
    };
    // Last year's column, a change, an estimate, a sub-item, another year
    // (any year, when the report's is unknown): never this year's figure
    // (the text rule's traps).
    let foreign = |i: usize| {
        head(i).is_some_and(|h| doc.lex.is_trap(h))
            || header
                .and_then(|h| h.cells.get(i))
                .is_some_and(|&(a, b)| doc.years_in(a, b).any(|y| Some(y) != fiscal_year))
    };
    let kind_of = |i: usize| -> Option<Variant> {
        let h = head(i)?;
        if foreign(i) {
            return None;
        }
        if words.header_actual_words.iter().any(|w| h.contains(w.as_str())) {
            Some(Variant::Actual)
        } else if words.header_budget_words.iter().any(|w| h.contains(w.as_str())) {
            Some(Variant::Budget)
        } else {
            None
        }
    };
    // A row is read only when it has as many cells as the header (or, without
    // one, as the first row): a merged or missing cell would shift the columns.
    let Some(width) = header
        .map(|h| h.cells.len())
        .or_else(|| rows.first().map(|r| r.cells.len()))
    else {
        return;
    };
    let rows: Vec<&Row> = rows.iter().filter(|r| r.cells.len() == width).collect();
    // Columns that hold numbers in some row (the label column never does).
    let numeric: Vec<usize> = (1..width)
        .filter(|&i| {
            rows.iter()
                .any(|r| r.cells.get(i).is_some_and(|&c| cell_number(doc, c).is_some()))
        })
        .collect();
    let column_of = |variant: Variant| -> Option<usize> {
        // No header: only a single column of numbers, read as the keyword's default.
        header?;
        let of_kind: Vec<usize> = numeric
            .iter()
            .copied()
            .filter(|&i| kind_of(i) == Some(variant))
            .collect();
        match of_kind.as_slice() {
            [one] => Some(*one),
            // 年初预算数 | 调整后预算数: the initial budget is the budget.
            many if variant == Variant::Budget => {
                let initial: Vec<usize> = many
                    .iter()
                    .copied()
                    .filter(|&i| {
                        head(i)
                            .is_some_and(|h| words.header_initial_budget_words.iter().any(|w| h.contains(w.as_str())))
                    })
                    .collect();
                match initial.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    // One column of numbers under a neutral header (金额), or under none.
    let single = match numeric.as_slice() {
        [one] if !foreign(*one) && kind_of(*one).is_none() => Some(*one),
        _ => None,
    };
    for row in rows {
        let Some(&label_cell) = row.cells.first() else { continue };
        let label: String = doc
            .text
            .get(label_cell.0..label_cell.1)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let label = strip_enumerator(&label, &cfg.context.part_words);
        // 收入合计(万元): the label without its unit, where that is the table's.
        let label = match (super::trailing_aside(label), cell_unit(label, cfg)) {
            (Some((bare, _)), Some(unit)) if unit == factor => bare,
            (_, Some(_)) => continue,
            _ => label,
        };
        // Every item the label names (收支总额 is the revenue and the spending).
        for m in cfg.money.iter().filter(|m| m.keywords.iter().any(|k| k == label)) {
            let mut push = |variant: Variant, column: usize| {
                let field = match variant {
                    Variant::Actual if !doc.budget_document => m.actual.as_deref().and_then(Field::from_name),
                    Variant::Budget => m.budget.as_deref().and_then(Field::from_name),
                    Variant::Actual => None,
                };
                let (Some(field), Some(&cell)) = (field, row.cells.get(column)) else {
                    return;
                };
                if let Some(v) = cell_number(doc, cell) {
                    cands.push(Candidate {
                        field,
                        value: Value::Num(super::amount::round6(v * factor)),
                        priority: if doc.under(row.start, super::SectionKind::Finance) {
                            2
                        } else {
                            0
                        },
                        rule: "money:declared-unit-table",
                        start: row.start,
                        end: row.end,
                    });
                }
            };
            if let Some(c) = single {
                // A column that says neither budget nor actual is read as the
                // text reads such an amount: a budget figure in a budget
                // document or under 预算编制, nothing under a heading that may
                // be a cut 预算编制, else the keyword's default.
                let variant = match doc.unqualified_at(row.start) {
                    super::Unqualified::Budget => Variant::Budget,
                    super::Unqualified::Unsure => continue,
                    super::Unqualified::Plain => m.default,
                };
                push(variant, c);
                continue;
            }
            for variant in [Variant::Actual, Variant::Budget] {
                if let Some(c) = column_of(variant) {
                    push(variant, c);
                }
            }
        }
    }
}

/// 一、支出合计 / 1.基本支出 / (一)项目支出 / 其中:人员经费 (`context.part_words`)
/// → the label itself.
fn strip_enumerator<'a>(label: &'a str, part_words: &[String]) -> &'a str {
    let label = match crate::normalize::heading_level(label) {
        Some((_, len)) => label.get(len..).unwrap_or(label),
        None => label,
    };
    part_words
        .iter()
        .find_map(|w| label.strip_prefix(w.as_str()))
        .map_or(label, |rest| rest.trim_start_matches([':', ',']))
}

#[cfg(test)]
mod tests {
    use crate::extract::facts_of as run;
    use crate::model::Field;

    const TABLES: &str = "一、基本情况\n（一）收支情况\n表1 2023年度收支情况表\n单位：元\n\
        项目 | 年初预算数 | 调整后预算数 | 决算数 | 执行率\n\
        支出合计 | 9,000,000.00 | 9500000.00 | 9127300.00 | 96.1%\n\
        其中：基本支出 | 7000000.00 | 7000000.00 | 7100000.00 | 101%\n\
        1.项目支出 | 2000000.00 | 2500000.00 | 2027300.00 | 81%\n\
        合计 | 1 | 2 | 3 | 4\n\
        （二）“三公”经费\n（单位：万元）\n\
        | 项目 | 年初预算数 | 调整预算数 | 决算数 |\n|---|---|---|---|\n\
        | “三公”经费 | 12.5 | 13 | 10.2 |\n| 公务接待费 | 3 | 3 | 2.5 |\n";

    /// A cell counts where its row is a money keyword and its column says
    /// actual or budget; the declared unit converts it; a percentage column,
    /// a row that is no keyword and a second budget column are not read.
    #[test]
    fn a_declared_units_table_gives_the_cells_its_rows_and_columns_name() {
        let f = run(TABLES);
        assert_eq!(f.num(Field::ExpenditureTotal), Some(912.73));
        assert_eq!(f.num(Field::ExpenditureBasic), Some(710.0));
        assert_eq!(f.num(Field::ExpenditureProject), Some(202.73));
        assert_eq!(f.num(Field::ThreePublicActual), Some(10.2));
        assert_eq!(f.num(Field::ThreePublicBudget), Some(12.5), "the initial budget");
        assert_eq!(f.num(Field::ReceptionActual), Some(2.5));
        assert_eq!(f.num(Field::ReceptionBudget), Some(3.0));
        let rule = f
            .fact(Field::ExpenditureTotal)
            .map(|x| (x.provenance.rule.as_str(), x.provenance.snippet.as_str()));
        assert_eq!(
            rule,
            Some((
                "money:declared-unit-table",
                "支出合计 | 9,000,000.00 | 9500000.00 | 9127300.00 | 96.1%"
            ))
        );
    }

    /// A Word table's blank top-left cell keeps the columns in place; a row
    /// with a cell more or less than the header is not read.
    #[test]
    fn columns_stay_aligned_with_their_headers() {
        let f = run("单位：万元\n | 预算数 | 决算数\n支出合计 | 900 | 912.73\n基本支出 | 700 | 710 | 3\n");
        assert_eq!(f.num(Field::ExpenditureTotal), Some(912.73));
        assert_eq!(f.num(Field::ExpenditureBasic), None);
    }

    /// Last year's column, a change, another year's: not this year's figure.
    #[test]
    fn a_column_of_another_year_or_a_change_is_not_read() {
        let year = "乐昌市财政局2023年度部门整体支出绩效自评报告\n单位：万元\n";
        let f = run(&format!("{year}项目 | 上年决算数 | 增减额\n支出合计 | 800 | 112.73\n"));
        assert_eq!(f.num(Field::ExpenditureTotal), None);
        let f = run(&format!("{year}项目 | 2022年决算数 | 说明\n支出合计 | 800 | 无\n"));
        assert_eq!(f.num(Field::ExpenditureTotal), None);
        let f = run(&format!(
            "{year}项目 | 2023年决算数 | 2022年决算数\n支出合计 | 912.73 | 800\n"
        ));
        assert_eq!(f.num(Field::ExpenditureTotal), Some(912.73));
        // A single column under another year's header is not neutral either.
        let f = run(&format!("{year}项目 | 2022年 | 说明\n支出合计 | 800 | 无\n"));
        assert_eq!(f.num(Field::ExpenditureTotal), None);
    }

    #[test]
    fn without_a_declared_unit_or_with_two_actual_columns_nothing_is_read() {
        let f = run("项目 | 决算数 | 说明\n支出合计 | 912.73 | 无\n");
        assert_eq!(f.num(Field::ExpenditureTotal), None);
        let f = run("单位：万元\n项目 | 2022年决算数 | 2023年决算数\n支出合计 | 800 | 912.73\n");
        assert_eq!(f.num(Field::ExpenditureTotal), None);
        // A line between the declaration and the table ends it.
        let f = run("单位：万元\n下表为本年支出。\n项目 | 决算数 | 说明\n支出合计 | 912.73 | 无\n");
        assert_eq!(f.num(Field::ExpenditureTotal), None);
    }

    /// One column of numbers under a neutral header is the keyword's default
    /// (spending is actual); a budget document reads budgets only.
    #[test]
    fn a_single_column_is_the_keywords_default_and_a_budget_reads_budgets() {
        let f = run("单位：万元\n项目 | 金额 | 说明\n支出合计 | 912.73 | 全年\n基本支出 | 710 | 全年\n");
        assert_eq!(f.num(Field::ExpenditureTotal), Some(912.73));
        assert_eq!(f.num(Field::ExpenditureBasic), Some(710.0));
        // A label that names two items gives both.
        let f = run("单位：万元\n项目 | 金额 | 说明\n收支总额 | 912.73 | 全年\n");
        assert_eq!(f.num(Field::RevenueTotal), Some(912.73));
        assert_eq!(f.num(Field::ExpenditureTotal), Some(912.73));
        let f = run("上海市普陀区司法局2026年部门预算\n单位：万元\n项目 | 预算数 | 上年决算数\n“三公”经费 | 10.81 | 9.5\n支出合计 | 900 | 850\n");
        assert_eq!(f.num(Field::ThreePublicBudget), Some(10.81));
        assert_eq!(f.num(Field::ThreePublicActual), None);
        assert_eq!(f.num(Field::ExpenditureTotal), None);
    }

    /// The table and the text disagreeing: null and a check, not a pick.
    #[test]
    fn a_table_that_disagrees_with_the_text_gives_null() {
        let f = run(
            "（一）收支情况\n本年支出合计 900 万元。\n单位：万元\n项目 | 决算数 | 说明\n支出合计 | 912.73 | 全年\n",
        );
        assert_eq!(f.num(Field::ExpenditureTotal), None);
        assert!(f.checks.iter().any(|c| c.check == "conflict"), "{:?}", f.checks);
    }

    /// Pieces of declared-unit tables in any order and number: no panic,
    /// and every value read is traced to a row of the text.
    const PIECES: [&str; 14] = [
        "单位：万元\n",
        "（单位：元）\n",
        "项目 | 预算数 | 决算数\n",
        "| 项目 | 年初预算数 | 调整预算数 | 决算数 |\n",
        "支出合计 | 900 | 912.73\n",
        "| “三公”经费 | 12.5 | 13 | 10.2 |\n",
        "其中：基本支出 | 1,000 | \n",
        "| | |\n",
        "|\n",
        "合计 | 96% | -\n",
        "一、收支情况\n",
        "本年支出合计 900 万元。\n",
        "基本支出",
        " | ",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn any_mix_of_table_pieces_reads_safely(picks in proptest::collection::vec(0usize..PIECES.len(), 0..24)) {
            let text: String = picks.iter().filter_map(|&i| PIECES.get(i).copied()).collect();
            static ENGINE: std::sync::OnceLock<Option<crate::Engine>> = std::sync::OnceLock::new();
            let engine = ENGINE.get_or_init(|| crate::Engine::new(crate::Rules::bundled().ok()?).ok());
            let Some(engine) = engine else {
                return Err(proptest::test_runner::TestCaseError::fail("the bundled rules load"));
            };
            let (_, f) = engine.facts_of_text(&text);
            for fact in f.facts.iter().filter(|x| x.provenance.rule == "money:declared-unit-table") {
                proptest::prop_assert!(fact.provenance.snippet.contains('|'), "{:?}", fact.provenance.snippet);
            }
        }
    }
}
