//! Region-wide aggregates (one row per province, city, county and fiscal
//! year), the department panel across years, and the checks across files of
//! one department and year.

use std::collections::BTreeMap;

use crate::config::DocumentKind;
use crate::model::{format_num, Check, Field, Report, Severity};

/// What the region summary and the department panel need of a report: kept
/// for every report of a run (a few hundred bytes), while the report itself
/// is written out and dropped batch by batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportDigest {
    pub report_id: String,
    pub source_path: String,
    pub department: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub region_code: Option<String>,
    pub fiscal_year: Option<i32>,
    pub revenue_total: Option<f64>,
    pub expenditure_total: Option<f64>,
    pub expenditure_basic: Option<f64>,
    pub expenditure_project: Option<f64>,
    pub three_public_actual: Option<f64>,
    pub three_public_budget: Option<f64>,
    pub score_total: Option<f64>,
    pub has_error: bool,
    pub document_kind: String,
    /// Its kind covers one budget unit only (`DocumentKind::unit_scope`): set
    /// by [`department_reports`], which knows the kinds.
    pub unit_scope: bool,
    /// The report's partition folder (`fiscal_year=2023/province=广东省`),
    /// empty when the output is not partitioned: where rows made after the
    /// last batch (the checks across files) go.
    pub partition_dir: String,
}

impl ReportDigest {
    pub fn of(r: &Report) -> Self {
        let f = &r.facts;
        let text = |x: Field| f.text(x).map(str::to_string);
        ReportDigest {
            report_id: r.report_id.clone(),
            source_path: r.source_path.clone(),
            department: text(Field::Department),
            province: text(Field::Province),
            city: text(Field::City),
            county: text(Field::County),
            region_code: text(Field::RegionCode),
            fiscal_year: f.num(Field::FiscalYear).map(|v| v as i32),
            revenue_total: f.num(Field::RevenueTotal),
            expenditure_total: f.num(Field::ExpenditureTotal),
            expenditure_basic: f.num(Field::ExpenditureBasic),
            expenditure_project: f.num(Field::ExpenditureProject),
            three_public_actual: f.num(Field::ThreePublicActual),
            three_public_budget: f.num(Field::ThreePublicBudget),
            score_total: f.num(Field::ScoreTotal),
            has_error: f.checks.iter().any(|c| c.severity == Severity::Error),
            document_kind: f.document_kind.clone(),
            unit_scope: false,
            partition_dir: String::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionSummary {
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub fiscal_year: Option<i32>,
    pub reports: i64,
    /// Departments among those reports (a department filed twice counts once;
    /// a report without a department name counts as one). The sums and the
    /// scores are over departments.
    pub departments: i64,
    /// Departments whose reports state a figure differently: that figure of
    /// theirs is in no sum.
    pub departments_in_conflict: i64,
    pub revenue_total: Option<f64>,
    pub expenditure_total: Option<f64>,
    pub expenditure_basic: Option<f64>,
    pub expenditure_project: Option<f64>,
    pub three_public_actual: Option<f64>,
    pub three_public_budget: Option<f64>,
    /// Sum of actuals over sum of budgets, over reports that state both.
    pub three_public_ratio: Option<f64>,
    pub score_mean: Option<f64>,
    pub score_min: Option<f64>,
    pub score_max: Option<f64>,
    pub reports_with_errors: i64,
    /// Change from the same region's previous year in the corpus.
    pub previous_year: Option<i32>,
    pub expenditure_total_change: Option<f64>,
    pub three_public_actual_change: Option<f64>,
    pub score_mean_change: Option<f64>,
}

/// The reports that are a department's own: a project's report (a kind
/// read `identity_only`) is neither counted in its region nor a year of its
/// department. Each is marked with its kind's scope.
pub fn department_reports(digests: Vec<ReportDigest>, kinds: &[DocumentKind]) -> Vec<ReportDigest> {
    let of_kind = |d: &ReportDigest| kinds.iter().find(|k| k.kind == d.document_kind);
    digests
        .into_iter()
        .filter(|d| !of_kind(d).is_some_and(|k| k.identity_only))
        .map(|d| ReportDigest {
            unit_scope: of_kind(&d).is_some_and(|k| k.unit_scope),
            ..d
        })
        .collect()
}

type Key = (Option<String>, Option<String>, Option<String>, Option<i32>);

/// Reads one figure of a digest.
type Figure = fn(&ReportDigest) -> Option<f64>;

/// The figures a department's files of one year must agree on: those the
/// region summary sums and the panel compares.
const FIGURES: [(Field, Figure); 7] = [
    (Field::RevenueTotal, |r| r.revenue_total),
    (Field::ExpenditureTotal, |r| r.expenditure_total),
    (Field::ExpenditureBasic, |r| r.expenditure_basic),
    (Field::ExpenditureProject, |r| r.expenditure_project),
    (Field::ThreePublicActual, |r| r.three_public_actual),
    (Field::ThreePublicBudget, |r| r.three_public_budget),
    (Field::ScoreTotal, |r| r.score_total),
];

/// What a department's files of one year say of one figure.
enum Stated {
    Nowhere,
    Agreed(f64),
    /// Two files state it differently.
    Differently,
}

/// A department-wide file's figure stands for the department over a
/// unit's (`unit_scope`): of the files that state it, those are judged
/// alone when there are any.
fn stated(reports: &[&ReportDigest], get: Figure) -> Stated {
    let wide = reports.iter().any(|r| !r.unit_scope && get(r).is_some());
    let judged = reports.iter().filter(|r| !(wide && r.unit_scope));
    agreement(judged.filter_map(|r| get(r)))
}

/// Whether the files state a figure alike, whatever their scope.
fn stated_by_all(reports: &[&ReportDigest], get: Figure) -> Stated {
    agreement(reports.iter().filter_map(|r| get(r)))
}

fn agreement(mut values: impl Iterator<Item = f64>) -> Stated {
    match values.next() {
        None => Stated::Nowhere,
        Some(first) if values.all(|v| (v - first).abs() < 1e-6) => Stated::Agreed(first),
        Some(_) => Stated::Differently,
    }
}

/// One department's figures in one region and year, from all of its reports
/// there: a department that filed twice (its report and its 自评表 as two
/// files, or a revised copy) counts once. A figure its reports state
/// differently is nobody's guess: it is left out, and the department counted
/// as in conflict.
struct DepartmentYear {
    /// Each of `FIGURES`, in its order: the one value its files agree on.
    figures: [Option<f64>; FIGURES.len()],
    in_conflict: bool,
}

impl DepartmentYear {
    fn of(reports: &[&ReportDigest]) -> Self {
        let mut in_conflict = false;
        let figures = FIGURES.map(|(_, get)| match stated(reports, get) {
            Stated::Agreed(v) => Some(v),
            Stated::Nowhere => None,
            Stated::Differently => {
                in_conflict = true;
                None
            }
        });
        DepartmentYear { figures, in_conflict }
    }

    fn get(&self, field: Field) -> Option<f64> {
        let i = FIGURES.iter().position(|&(f, _)| f == field)?;
        self.figures.get(i).copied().flatten()
    }
}

/// (province, city, county, fiscal year, department): the department is
/// `d:` and its name as `department_key` matches it, or `r:` and the report id
/// for a report without a name (a department of its own).
type GroupKey = (Option<String>, Option<String>, Option<String>, Option<i32>, String);

/// The files of each department in each region and year: what the region
/// summary counts once per department and the checks across files compare.
pub struct DepartmentYears<'r> {
    reports: &'r [ReportDigest],
    /// For each report: its group in `groups`.
    group_of: Vec<usize>,
    /// Each department and year's files, in key order (region, year, department).
    groups: Vec<(GroupKey, Vec<&'r ReportDigest>)>,
}

impl<'r> DepartmentYears<'r> {
    pub fn new(reports: &'r [ReportDigest], name_prefixes: &[String]) -> Self {
        let mut index: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
        for (i, r) in reports.iter().enumerate() {
            let department = match r.department.as_deref() {
                Some(d) => format!("d:{}", department_key(d, name_prefixes)),
                None => format!("r:{}", r.report_id),
            };
            let key = (
                r.province.clone(),
                r.city.clone(),
                r.county.clone(),
                r.fiscal_year,
                department,
            );
            index.entry(key).or_default().push(i);
        }
        let mut group_of = vec![0; reports.len()];
        let groups = index
            .into_iter()
            .enumerate()
            .map(|(g, (key, members))| {
                for &i in &members {
                    if let Some(slot) = group_of.get_mut(i) {
                        *slot = g;
                    }
                }
                (key, members.iter().filter_map(|&i| reports.get(i)).collect())
            })
            .collect();
        DepartmentYears {
            reports,
            group_of,
            groups,
        }
    }

    /// The checks across files, made one at a time in the order of the
    /// reports (a corpus with many needs no list of them all): each file of a
    /// department and year that states a figure differently from another of
    /// its files gets a check naming the figure, the other files and their
    /// values. (The summary and the panel leave such a figure out; this says
    /// which files to reconcile.) Files without a year are not compared.
    pub fn conflicts(&self) -> impl Iterator<Item = (&'r ReportDigest, Check)> + '_ {
        self.reports.iter().zip(&self.group_of).filter_map(|(r, &g)| {
            let (key, group) = self.groups.get(g)?;
            key.3?;
            Some((r, conflict_of(r, group)?))
        })
    }

    /// One row per province, city, county and fiscal year, over departments.
    pub fn summarize(&self) -> Vec<RegionSummary> {
        let same_region = |a: &(GroupKey, Vec<&ReportDigest>), b: &(GroupKey, Vec<&ReportDigest>)| {
            (&a.0 .0, &a.0 .1, &a.0 .2, a.0 .3) == (&b.0 .0, &b.0 .1, &b.0 .2, b.0 .3)
        };
        let mut rows: Vec<RegionSummary> = self
            .groups
            .chunk_by(same_region)
            .filter_map(|region| {
                let ((province, city, county, fiscal_year, _), _) = region.first()?;
                let ds: Vec<DepartmentYear> = region.iter().map(|(_, files)| DepartmentYear::of(files)).collect();
                let files = || region.iter().flat_map(|(_, files)| files.iter());
                Some(region_row(
                    (province.clone(), city.clone(), county.clone(), *fiscal_year),
                    files().count(),
                    files().filter(|r| r.has_error).count(),
                    &ds,
                ))
            })
            .collect();
        // Rows are sorted by region, then year: the previous row of the same region is last year's.
        for i in 1..rows.len() {
            let (prev, cur) = rows.split_at_mut(i);
            let (p, c) = (&prev[i - 1], &mut cur[0]);
            if (&p.province, &p.city, &p.county) == (&c.province, &c.city, &c.county) && p.fiscal_year.is_some() {
                c.previous_year = p.fiscal_year;
                c.expenditure_total_change = diff(c.expenditure_total, p.expenditure_total);
                c.three_public_actual_change = diff(c.three_public_actual, p.three_public_actual);
                c.score_mean_change = diff(c.score_mean, p.score_mean);
            }
        }
        rows
    }
}

/// The check of file `r` among the files `group` of its department and year.
fn conflict_of(r: &ReportDigest, group: &[&ReportDigest]) -> Option<Check> {
    if group.len() < 2 {
        return None;
    }
    let differing: Vec<(Field, Figure, f64)> = FIGURES
        .iter()
        .filter_map(|&(field, get)| {
            let mine = get(r)?;
            matches!(stated_by_all(group, get), Stated::Differently).then_some((field, get, mine))
        })
        .collect();
    if differing.is_empty() {
        return None;
    }
    // The other files that state one of those figures.
    let others: Vec<&ReportDigest> = group
        .iter()
        .copied()
        .filter(|o| o.report_id != r.report_id && differing.iter().any(|(_, get, _)| get(o).is_some()))
        .collect();
    let parts: Vec<String> = differing
        .iter()
        .map(|&(field, get, mine)| {
            let theirs: Vec<String> = others
                .iter()
                .filter_map(|o| {
                    let v = format_num(get(o)?);
                    Some(if others.len() == 1 {
                        format!("该文件为 {v}")
                    } else {
                        format!("{} 为 {v}", o.source_path)
                    })
                })
                .collect();
            format!(
                "{}本文件为 {}，{}",
                field.label_zh(),
                format_num(mine),
                theirs.join("，")
            )
        })
        .collect();
    let whom = match others.as_slice() {
        [one] => format!("与同一部门同一年度的 {} 所列数字不一", one.source_path),
        _ => "同一部门同一年度的文件所列数字不一".to_string(),
    };
    // Files of other kinds (a 部门预算 and a 单位预算, a budget and a
    // final account) may state figures of another scope: worth knowing,
    // not necessarily a mistake.
    let mut kinds: Vec<&str> = Vec::new();
    for k in std::iter::once(r)
        .chain(others.iter().copied())
        .map(|d| d.document_kind.as_str())
    {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let (severity, ask) = if kinds.len() == 1 {
        (Severity::Warning, "请核对以哪份为准".to_string())
    } else {
        (
            Severity::Info,
            format!("这些文件种类不同（{}），数字口径可能不同", kinds.join("、")),
        )
    };
    // Figures a department-wide file settles (`stated`) are in the sums; the rest are not.
    let settled: Vec<String> = differing
        .iter()
        .filter_map(|&(field, get, _)| match stated(group, get) {
            Stated::Agreed(v) => Some(format!("{}为 {}", field.label_zh(), format_num(v))),
            Stated::Nowhere | Stated::Differently => None,
        })
        .collect();
    let used = if settled.is_empty() {
        "区域汇总和历年对比未采用这些数字".to_string()
    } else if settled.len() == differing.len() {
        format!("区域汇总和历年对比采用部门口径文件的数字（{}）", settled.join("，"))
    } else {
        format!(
            "区域汇总和历年对比采用部门口径文件的数字（{}），未采用其余数字",
            settled.join("，")
        )
    };
    Some(Check {
        check: "department_year_conflict".into(),
        severity,
        message: format!("{whom}：{}。{used}；{ask}", parts.join("；")),
        fields: differing.iter().map(|(f, _, _)| f.name().to_string()).collect(),
        values: differing.iter().map(|&(_, _, v)| format_num(v)).collect(),
    })
}

/// A department's name as the same department is known across its reports:
/// no spaces, no configured prefix such as 中共.
fn department_key(name: &str, name_prefixes: &[String]) -> String {
    let key: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    crate::extract::strip_any_prefix(&key, name_prefixes).to_string()
}

pub fn summarize_regions(reports: &[ReportDigest], name_prefixes: &[String]) -> Vec<RegionSummary> {
    DepartmentYears::new(reports, name_prefixes).summarize()
}

/// A region and year's row from its departments' merged figures.
fn region_row(key: Key, files: usize, with_errors: usize, ds: &[DepartmentYear]) -> RegionSummary {
    let (province, city, county, fiscal_year) = key;
    let sum = |field: Field| -> Option<f64> {
        let v: Vec<f64> = ds.iter().filter_map(|d| d.get(field)).collect();
        (!v.is_empty()).then(|| v.iter().sum())
    };
    let both: Vec<(f64, f64)> = ds
        .iter()
        .filter_map(|d| Some((d.get(Field::ThreePublicActual)?, d.get(Field::ThreePublicBudget)?)))
        .collect();
    let (a, b): (f64, f64) = both.iter().fold((0.0, 0.0), |acc, x| (acc.0 + x.0, acc.1 + x.1));
    let scores: Vec<f64> = ds.iter().filter_map(|d| d.get(Field::ScoreTotal)).collect();
    RegionSummary {
        province,
        city,
        county,
        fiscal_year,
        reports: files as i64,
        departments: ds.len() as i64,
        departments_in_conflict: ds.iter().filter(|d| d.in_conflict).count() as i64,
        revenue_total: sum(Field::RevenueTotal),
        expenditure_total: sum(Field::ExpenditureTotal),
        expenditure_basic: sum(Field::ExpenditureBasic),
        expenditure_project: sum(Field::ExpenditureProject),
        three_public_actual: sum(Field::ThreePublicActual),
        three_public_budget: sum(Field::ThreePublicBudget),
        three_public_ratio: (b > 0.0).then(|| a / b),
        score_mean: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
        score_min: scores.iter().copied().reduce(f64::min),
        score_max: scores.iter().copied().reduce(f64::max),
        reports_with_errors: with_errors as i64,
        ..RegionSummary::default()
    }
}

fn diff(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(((a? - b?) * 1e6).round() / 1e6)
}

/// One department in one year, with the change from its previous year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PanelRow {
    pub department: String,
    pub region_code: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub fiscal_year: i32,
    pub report_id: String,
    pub expenditure_total: Option<f64>,
    pub three_public_actual: Option<f64>,
    pub score_total: Option<f64>,
    pub previous_year: Option<i32>,
    pub expenditure_total_change: Option<f64>,
    pub three_public_actual_change: Option<f64>,
    pub score_change: Option<f64>,
}

/// Departments that appear in two or more years (same normalised name and
/// region; a name prefix such as 中共 does not make another department).
pub fn department_panel(reports: &[ReportDigest], name_prefixes: &[String]) -> Vec<PanelRow> {
    DepartmentYears::new(reports, name_prefixes).panel()
}

impl DepartmentYears<'_> {
    /// A row per year of each department that appears in two or more years.
    /// Its years are the summary's groups: a year with several files of the
    /// department is one row, a figure they state differently left empty.
    pub fn panel(&self) -> Vec<PanelRow> {
        type Department<'k> = (&'k str, &'k Option<String>, &'k Option<String>, &'k Option<String>);
        // Groups are in (region, year, department) order: each department's years come ascending.
        let mut by_dept: BTreeMap<Department, Vec<(i32, &[&ReportDigest])>> = BTreeMap::new();
        for ((province, city, county, year, department), files) in &self.groups {
            // A report without a name (`r:`) is a department of its own, in one year only.
            let (Some(year), Some(name)) = (year, department.strip_prefix("d:")) else {
                continue;
            };
            by_dept
                .entry((name, province, city, county))
                .or_default()
                .push((*year, files.as_slice()));
        }
        let mut out = Vec::new();
        for years in by_dept.into_values().filter(|years| years.len() >= 2) {
            let mut rows: Vec<PanelRow> = years
                .into_iter()
                .filter_map(|(year, files)| {
                    let mut rs = files.to_vec();
                    rs.sort_by(|a, b| a.report_id.cmp(&b.report_id));
                    let first = rs.first()?;
                    let merged = DepartmentYear::of(&rs);
                    Some(PanelRow {
                        department: first.department.clone().unwrap_or_default(),
                        region_code: first.region_code.clone(),
                        province: first.province.clone(),
                        city: first.city.clone(),
                        county: first.county.clone(),
                        fiscal_year: year,
                        report_id: rs.iter().map(|r| r.report_id.as_str()).collect::<Vec<_>>().join(", "),
                        expenditure_total: merged.get(Field::ExpenditureTotal),
                        three_public_actual: merged.get(Field::ThreePublicActual),
                        score_total: merged.get(Field::ScoreTotal),
                        ..PanelRow::default()
                    })
                })
                .collect();
            for i in 1..rows.len() {
                let (prev, cur) = rows.split_at_mut(i);
                let (p, c) = (&prev[i - 1], &mut cur[0]);
                c.previous_year = Some(p.fiscal_year);
                c.expenditure_total_change = diff(c.expenditure_total, p.expenditure_total);
                c.three_public_actual_change = diff(c.three_public_actual, p.three_public_actual);
                c.score_change = diff(c.score_total, p.score_total);
            }
            out.extend(rows);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(id: &str, department: &str, year: i32) -> ReportDigest {
        ReportDigest {
            report_id: id.into(),
            source_path: format!("{id}.txt"),
            department: Some(department.into()),
            province: Some("广东省".into()),
            city: Some("韶关市".into()),
            county: Some("乐昌市".into()),
            region_code: Some("440281".into()),
            fiscal_year: Some(year),
            revenue_total: None,
            expenditure_total: Some(100.0 + f64::from(year - 2022)),
            expenditure_basic: None,
            expenditure_project: None,
            three_public_actual: None,
            three_public_budget: None,
            score_total: None,
            has_error: false,
            document_kind: "绩效自评报告".into(),
            unit_scope: false,
            partition_dir: String::new(),
        }
    }

    /// A department that filed its report and its 自评表 as two files counts
    /// once in its region; a figure its two files state differently is in no
    /// sum, and the department is counted as in conflict.
    #[test]
    fn a_department_filed_twice_counts_once_in_its_region() {
        let with = |id: &str, dept: &str, spent: Option<f64>, score: Option<f64>| ReportDigest {
            expenditure_total: spent,
            score_total: score,
            ..digest(id, dept, 2023)
        };
        let reports = [
            with("a", "乐昌市财政局", Some(100.0), Some(92.0)),
            with("b", "中共乐昌市财政局", None, Some(92.0)),
            with("c", "乐昌市教育局", Some(50.0), Some(80.0)),
        ];
        let prefixes = ["中共".to_string()];
        let r = summarize_regions(&reports, &prefixes);
        let r = r.first().expect("one region-year");
        assert_eq!((r.reports, r.departments, r.departments_in_conflict), (3, 2, 0));
        assert_eq!(r.expenditure_total, Some(150.0));
        assert_eq!(r.score_mean, Some(86.0));
        // A revised copy with another figure: that figure is nobody's guess.
        let revised = [
            with("a", "乐昌市财政局", Some(100.0), Some(92.0)),
            with("b", "乐昌市财政局", Some(110.0), Some(92.0)),
            with("c", "乐昌市教育局", Some(50.0), Some(80.0)),
        ];
        let r = summarize_regions(&revised, &prefixes);
        let r = r.first().expect("one region-year");
        assert_eq!((r.departments, r.departments_in_conflict), (2, 1));
        assert_eq!(r.expenditure_total, Some(50.0));
        assert_eq!(r.score_mean, Some(86.0));
        // The panel has one row per year too.
        let later = ReportDigest {
            fiscal_year: Some(2024),
            ..with("d", "乐昌市财政局", Some(120.0), Some(94.0))
        };
        let mut years = revised.to_vec();
        years.push(later);
        let panel = department_panel(&years, &prefixes);
        let rows: Vec<(i32, &str, Option<f64>, Option<f64>)> = panel
            .iter()
            .map(|p| {
                (
                    p.fiscal_year,
                    p.report_id.as_str(),
                    p.expenditure_total,
                    p.expenditure_total_change,
                )
            })
            .collect();
        assert_eq!(rows, [(2023, "a, b", None, None), (2024, "d", Some(120.0), None)]);
        assert_eq!(panel.get(1).and_then(|p| p.score_change), Some(2.0));
        // Reports with no department name are a department each.
        let unnamed = [
            ReportDigest {
                department: None,
                ..with("x", "", Some(1.0), None)
            },
            ReportDigest {
                department: None,
                ..with("y", "", Some(2.0), None)
            },
        ];
        let r = summarize_regions(&unnamed, &prefixes);
        assert_eq!(
            r.first().map(|r| (r.departments, r.expenditure_total)),
            Some((2, Some(3.0)))
        );
    }

    #[test]
    fn a_configured_name_prefix_does_not_split_a_department() {
        let reports = [
            digest("a", "中共乐昌市委办公室", 2022),
            digest("b", "乐昌市委办公室", 2023),
        ];
        let panel = department_panel(&reports, &["中共".to_string()]);
        assert_eq!(panel.len(), 2, "{panel:?}");
        let later = panel.iter().find(|p| p.fiscal_year == 2023).unwrap();
        assert_eq!(later.previous_year, Some(2022));
        // Without the prefix in the config they are two departments, one year each.
        assert!(department_panel(&reports, &[]).is_empty());
        // The panel's departments are the summary's: named by their region,
        // so a file whose region code is missing is still the same department.
        let without_code = ReportDigest {
            region_code: None,
            ..digest("c", "乐昌市委办公室", 2024)
        };
        let three_years = [reports[0].clone(), reports[1].clone(), without_code];
        let years: Vec<i32> = department_panel(&three_years, &["中共".to_string()])
            .iter()
            .map(|p| p.fiscal_year)
            .collect();
        assert_eq!(years, [2022, 2023, 2024]);
    }

    fn conflicts<'r>(reports: &'r [ReportDigest], prefixes: &[String]) -> Vec<(&'r ReportDigest, Check)> {
        DepartmentYears::new(reports, prefixes).conflicts().collect()
    }

    /// Two files of one department and year that state a figure differently
    /// each get a warning naming the figure and the other file; files that
    /// agree, another year, another department and a file without a year get none.
    #[test]
    fn files_of_a_department_year_that_disagree_are_each_named() {
        let with = |id: &str, dept: &str, year: Option<i32>, spent: Option<f64>, score: Option<f64>| ReportDigest {
            expenditure_total: spent,
            score_total: score,
            fiscal_year: year,
            ..digest(id, dept, 2023)
        };
        let reports = [
            with("a", "乐昌市财政局", Some(2023), Some(100.0), Some(92.0)),
            with("b", "中共乐昌市财政局", Some(2023), Some(110.0), Some(92.0)),
            // States neither figure differently: it is not named.
            with("c", "乐昌市财政局", Some(2023), None, Some(92.0)),
            with("d", "乐昌市财政局", Some(2024), Some(120.0), Some(80.0)),
            with("e", "乐昌市教育局", Some(2023), Some(50.0), Some(80.0)),
            with("f", "乐昌市教育局", Some(2023), Some(50.0), Some(80.0)),
            with("g", "乐昌市教育局", None, Some(70.0), None),
        ];
        let found = conflicts(&reports, &["中共".to_string()]);
        let named: Vec<(&str, &str, &[String], &[String])> = found
            .iter()
            .map(|(r, c)| {
                (
                    r.report_id.as_str(),
                    c.check.as_str(),
                    c.fields.as_slice(),
                    c.values.as_slice(),
                )
            })
            .collect();
        let expenditure = ["expenditure_total".to_string()];
        assert_eq!(
            named,
            [
                (
                    "a",
                    "department_year_conflict",
                    &expenditure[..],
                    &["100".to_string()][..]
                ),
                (
                    "b",
                    "department_year_conflict",
                    &expenditure[..],
                    &["110".to_string()][..]
                ),
            ]
        );
        let message = found.first().map(|(_, c)| c.message.as_str()).unwrap_or("");
        assert!(
            message
                .starts_with("与同一部门同一年度的 b.txt 所列数字不一：支出合计（万元）本文件为 100，该文件为 110。"),
            "{message}"
        );
        // With two other files, each is named beside its value.
        let three = [
            with("a", "乐昌市财政局", Some(2023), Some(100.0), None),
            with("b", "乐昌市财政局", Some(2023), Some(110.0), None),
            with("c", "乐昌市财政局", Some(2023), Some(120.0), None),
        ];
        let found3 = conflicts(&three, &[]);
        assert_eq!(found3.len(), 3);
        let message = found3.first().map(|(_, c)| c.message.as_str()).unwrap_or("");
        assert!(
            message.contains("支出合计（万元）本文件为 100，b.txt 为 110，c.txt 为 120"),
            "{message}"
        );
        assert!(found.iter().all(|(_, c)| c.severity == Severity::Warning));
        // A 部门预算 and a 单位预算 of one department may differ in scope: info, saying so.
        let scopes = [
            ReportDigest {
                document_kind: "部门预算".into(),
                ..with("d", "乐昌市财政局", Some(2023), Some(100.0), None)
            },
            ReportDigest {
                document_kind: "单位预算".into(),
                ..with("u", "乐昌市财政局", Some(2023), Some(90.0), None)
            },
        ];
        let found2 = conflicts(&scopes, &[]);
        assert_eq!(found2.len(), 2);
        assert!(found2.iter().all(|(_, c)| c.severity == Severity::Info));
        let message = found2.first().map(|(_, c)| c.message.as_str()).unwrap_or("");
        assert!(
            message.ends_with(
                "区域汇总和历年对比未采用这些数字；这些文件种类不同（部门预算、单位预算），数字口径可能不同"
            ),
            "{message}"
        );
        // Without the configured prefix, 中共乐昌市财政局 is another department.
        assert!(conflicts(&reports, &[]).is_empty());
    }

    /// With the kinds' scopes known (the bundled config marks 单位预算 as one
    /// unit's), a department-wide file's figure is the department's: in the
    /// sums and the panel, and the checks say which figure was used. Files of
    /// one scope that disagree are still left out.
    #[test]
    fn a_department_wide_file_stands_for_its_department() {
        let kinds = crate::config::Rules::bundled()
            .expect("bundled rules")
            .config
            .document_kinds;
        let of = |id: &str, kind: &str, year: i32, spent: f64| ReportDigest {
            document_kind: kind.into(),
            expenditure_total: Some(spent),
            ..digest(id, "乐昌市财政局", year)
        };
        let files = department_reports(
            vec![
                of("d", "部门预算", 2023, 100.0),
                of("u", "单位预算", 2023, 90.0),
                of("n", "部门预算", 2024, 120.0),
            ],
            &kinds,
        );
        assert_eq!(
            files.iter().map(|d| d.unit_scope).collect::<Vec<_>>(),
            [false, true, false]
        );
        let found = conflicts(&files, &[]);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|(_, c)| c.severity == Severity::Info));
        let message = found.first().map(|(_, c)| c.message.as_str()).unwrap_or("");
        assert!(
            message.contains("区域汇总和历年对比采用部门口径文件的数字（支出合计（万元）为 100）"),
            "{message}"
        );
        let r = summarize_regions(&files, &[]);
        let year = r.iter().find(|r| r.fiscal_year == Some(2023));
        assert_eq!(
            year.map(|r| (r.departments_in_conflict, r.expenditure_total)),
            Some((0, Some(100.0)))
        );
        let panel = department_panel(&files, &[]);
        assert_eq!(panel.first().and_then(|p| p.expenditure_total), Some(100.0));
        // Without a department-wide file, a unit's files are judged together.
        let units = department_reports(
            vec![of("u", "单位预算", 2023, 90.0), of("v", "单位预算", 2023, 95.0)],
            &kinds,
        );
        assert_eq!(
            summarize_regions(&units, &[])
                .first()
                .map(|r| (r.departments_in_conflict, r.expenditure_total)),
            Some((1, None))
        );
    }
}
