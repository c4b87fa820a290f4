//! Region-wide aggregates (one row per province, city, county and fiscal
//! year) and the department panel across years.

use std::collections::BTreeMap;

use crate::model::{Field, Report, Severity};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegionSummary {
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub fiscal_year: Option<i32>,
    pub reports: i64,
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

type Key = (Option<String>, Option<String>, Option<String>, Option<i32>);

pub fn summarize_regions(reports: &[Report]) -> Vec<RegionSummary> {
    let mut groups: BTreeMap<Key, Vec<&Report>> = BTreeMap::new();
    for r in reports {
        let f = &r.facts;
        let key = (
            f.text(Field::Province).map(str::to_string),
            f.text(Field::City).map(str::to_string),
            f.text(Field::County).map(str::to_string),
            f.num(Field::FiscalYear).map(|v| v as i32),
        );
        groups.entry(key).or_default().push(r);
    }
    let mut rows: Vec<RegionSummary> = groups
        .into_iter()
        .map(|((province, city, county, fiscal_year), rs)| {
            let sum = |field: Field| -> Option<f64> {
                let v: Vec<f64> = rs.iter().filter_map(|r| r.facts.num(field)).collect();
                (!v.is_empty()).then(|| v.iter().sum())
            };
            let both: Vec<(f64, f64)> = rs
                .iter()
                .filter_map(|r| {
                    Some((
                        r.facts.num(Field::ThreePublicActual)?,
                        r.facts.num(Field::ThreePublicBudget)?,
                    ))
                })
                .collect();
            let (a, b): (f64, f64) = both.iter().fold((0.0, 0.0), |acc, x| (acc.0 + x.0, acc.1 + x.1));
            let scores: Vec<f64> = rs.iter().filter_map(|r| r.facts.num(Field::ScoreTotal)).collect();
            RegionSummary {
                province,
                city,
                county,
                fiscal_year,
                reports: rs.len() as i64,
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
                reports_with_errors: rs
                    .iter()
                    .filter(|r| r.facts.checks.iter().any(|c| c.severity == Severity::Error))
                    .count() as i64,
                ..RegionSummary::default()
            }
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

/// Departments that appear in two or more years (same normalised name and region).
pub fn department_panel(reports: &[Report]) -> Vec<PanelRow> {
    let mut by_dept: BTreeMap<(String, Option<String>), Vec<PanelRow>> = BTreeMap::new();
    for r in reports {
        let f = &r.facts;
        let (Some(dept), Some(year)) = (f.text(Field::Department), f.num(Field::FiscalYear)) else {
            continue;
        };
        let key: String = dept.chars().filter(|c| !c.is_whitespace()).collect();
        let key = key.strip_prefix("中共").map(str::to_string).unwrap_or(key);
        let region = f.text(Field::RegionCode).map(str::to_string);
        by_dept.entry((key, region.clone())).or_default().push(PanelRow {
            department: dept.to_string(),
            region_code: region,
            province: f.text(Field::Province).map(str::to_string),
            city: f.text(Field::City).map(str::to_string),
            county: f.text(Field::County).map(str::to_string),
            fiscal_year: year as i32,
            report_id: r.report_id.clone(),
            expenditure_total: f.num(Field::ExpenditureTotal),
            three_public_actual: f.num(Field::ThreePublicActual),
            score_total: f.num(Field::ScoreTotal),
            ..PanelRow::default()
        });
    }
    let mut out = Vec::new();
    for (_, mut rows) in by_dept {
        rows.sort_by(|a, b| a.fiscal_year.cmp(&b.fiscal_year).then(a.report_id.cmp(&b.report_id)));
        let years: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.fiscal_year).collect();
        if years.len() < 2 {
            continue;
        }
        for i in 1..rows.len() {
            let (prev, cur) = rows.split_at_mut(i);
            let (p, c) = (&prev[i - 1], &mut cur[0]);
            if p.fiscal_year < c.fiscal_year {
                c.previous_year = Some(p.fiscal_year);
                c.expenditure_total_change = diff(c.expenditure_total, p.expenditure_total);
                c.three_public_actual_change = diff(c.three_public_actual, p.three_public_actual);
                c.score_change = diff(c.score_total, p.score_total);
            }
        }
        out.extend(rows);
    }
    out
}
