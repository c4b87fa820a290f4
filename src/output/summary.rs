//! Region-wide aggregates: one row per (province, city, county, fiscal year).

use std::collections::BTreeMap;

use crate::model::{Field, Report};

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
    groups
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
                    .filter(|r| {
                        r.facts
                            .checks
                            .iter()
                            .any(|c| c.severity == crate::model::Severity::Error)
                    })
                    .count() as i64,
            }
        })
        .collect()
}
