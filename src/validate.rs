//! Stage 4: facts → checks. Each figure is compared with the ones it must
//! agree with; each finding says, in Chinese, what does not add up and by how much.

use serde::Deserialize;

use crate::config::Config;
use crate::model::{Check, Field, ReportFacts, Severity};

/// The scored sections: the config's, less the bonus, in config order.
/// The scored sections (not the bonus) of a scheme.
fn scored_sections<'c>(cfg: &'c Config, scheme: Option<&'c str>) -> impl Iterator<Item = Field> + 'c {
    cfg.score
        .sections_in(scheme)
        .filter_map(|s| Field::from_name(&s.id))
        .filter(|&f| f != Field::ScoreBonus)
}

/// Every scored section's score of the report's scheme plus the bonus (0
/// when none is stated); None while a section has no score.
pub fn sections_and_bonus(cfg: &Config, scheme: Option<&str>, score: impl Fn(Field) -> Option<f64>) -> Option<f64> {
    let parts: Option<f64> = scored_sections(cfg, scheme).map(&score).sum();
    Some(parts? + score(Field::ScoreBonus).unwrap_or(0.0))
}

/// The sections' scores and the bonus (`sum`) agree with the stated total:
/// equal, or past 100 where the report caps its total at 100.
pub fn sections_add_up(sum: f64, total: f64, tol: f64) -> bool {
    (sum - total).abs() <= tol || capped_at_100(sum, total, tol)
}

fn capped_at_100(sum: f64, total: f64, tol: f64) -> bool {
    sum > 100.0 && (total - 100.0).abs() <= tol
}

/// Tolerances (`[validate]` in the config), in the field's unit.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default)]
pub struct Tolerances {
    #[serde(rename = "amount_tolerance")]
    pub amount: f64,
    #[serde(rename = "ratio_tolerance")]
    pub ratio: f64,
    #[serde(rename = "score_tolerance")]
    pub score: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            amount: 0.015,
            ratio: 0.0051,
            score: 0.01,
        }
    }
}

/// Core fields whose absence a reader should know about.
const CORE: [Field; 5] = [
    Field::Department,
    Field::FiscalYear,
    Field::ExpenditureTotal,
    Field::ScoreTotal,
    Field::Province,
];

/// A whole and its parts. Where the parts are all of it (a sum check's id
/// and label given) and every part is stated, their sum must be the whole;
/// otherwise no stated part may exceed it.
type Whole = (Option<(&'static str, &'static str)>, Field, &'static [Field]);
const WHOLES: [Whole; 6] = [
    (
        Some(("sum_basic_project", "基本支出 + 项目支出 ≠ 支出合计")),
        Field::ExpenditureTotal,
        &[Field::ExpenditureBasic, Field::ExpenditureProject],
    ),
    (
        Some(("sum_personnel_public_use", "人员经费 + 公用经费 ≠ 基本支出")),
        Field::ExpenditureBasic,
        &[Field::ExpenditurePersonnel, Field::ExpenditurePublicUse],
    ),
    (
        Some(("sum_three_public_items", "“三公”经费分项决算合计 ≠ “三公”经费决算")),
        Field::ThreePublicActual,
        &[
            Field::OutboundTravelActual,
            Field::VehicleActual,
            Field::ReceptionActual,
        ],
    ),
    // The travel budget is no field: the two items are not the whole budget.
    (
        None,
        Field::ThreePublicBudget,
        &[Field::VehicleBudget, Field::ReceptionBudget],
    ),
    (None, Field::ExpenditureTotal, &[Field::ThreePublicActual]),
    (None, Field::BudgetInitial, &[Field::ThreePublicBudget]),
];

pub fn validate(cfg: &Config, f: &mut ReportFacts) {
    let tol = cfg.validate;
    let mut checks = Vec::new();
    let n = |x: Field| f.num(x);
    let fmt = |v: f64| crate::model::format_num(v);

    for &(sum, whole, parts) in &WHOLES {
        let Some(w) = n(whole) else { continue };
        let stated: Option<Vec<f64>> = parts.iter().map(|p| n(*p)).collect();
        // Every part stated: their sum must be the whole (a whole derived
        // from these very parts proves nothing).
        if let (Some((id, label)), Some(vals)) = (sum, &stated) {
            if !f.is_derived(whole) && !parts.iter().any(|p| f.is_derived(*p)) {
                let s: f64 = vals.iter().sum();
                if (s - w).abs() > tol.amount {
                    checks.push(Check {
                        check: id.into(),
                        severity: Severity::Error,
                        message: format!("{label}：分项合计 {} 与总数 {} 相差 {}", fmt(s), fmt(w), fmt(s - w)),
                        fields: std::iter::once(whole)
                            .chain(parts.iter().copied())
                            .map(|x| x.name().to_string())
                            .collect(),
                        values: std::iter::once(w).chain(vals.iter().copied()).map(fmt).collect(),
                    });
                }
            }
            continue;
        }
        // Otherwise a part larger than its whole: one of the two figures is wrong.
        for &part in parts {
            let Some(v) = n(part) else { continue };
            if v > w + tol.amount {
                checks.push(Check {
                    check: "part_exceeds_whole".into(),
                    severity: Severity::Error,
                    message: format!(
                        "{} {} 大于{} {}：其中必有一个数字不对",
                        part.label_zh(),
                        fmt(v),
                        whole.label_zh(),
                        fmt(w)
                    ),
                    fields: vec![part.name().into(), whole.name().into()],
                    values: vec![fmt(v), fmt(w)],
                });
            }
        }
    }

    // Functional classes should add up to the total spending.
    if let Some(t) = n(Field::ExpenditureTotal) {
        if f.functions.len() >= 2 {
            let s: f64 = f.functions.iter().map(|x| x.amount).sum();
            if (s - t).abs() > tol.amount {
                checks.push(Check {
                    check: "sum_functions".into(),
                    severity: Severity::Warning,
                    message: format!("支出功能分类合计 {} 与支出合计 {} 相差 {}", fmt(s), fmt(t), fmt(s - t)),
                    fields: vec!["expenditure_by_function".into(), "expenditure_total".into()],
                    values: vec![fmt(s), fmt(t)],
                });
            }
        }
    }

    // Revenue and spending usually balance in these reports; a gap is worth a look.
    if let (Some(r), Some(e)) = (n(Field::RevenueTotal), n(Field::ExpenditureTotal)) {
        if (r - e).abs() > tol.amount {
            checks.push(Check {
                check: "revenue_vs_expenditure".into(),
                severity: Severity::Info,
                message: format!(
                    "收入合计 {} 与支出合计 {} 不等（差 {}），可能有结转结余",
                    fmt(r),
                    fmt(e),
                    fmt(r - e)
                ),
                fields: vec!["revenue_total".into(), "expenditure_total".into()],
                values: vec![fmt(r), fmt(e)],
            });
        }
    }

    // A stated ratio should be the ratio of the stated figures.
    if let (Some(ratio), Some(a), Some(b)) = (
        n(Field::ThreePublicRatio),
        n(Field::ThreePublicActual),
        n(Field::ThreePublicBudget),
    ) {
        if !f.is_derived(Field::ThreePublicRatio) && b > 0.0 && (a / b - ratio).abs() > tol.ratio {
            checks.push(Check {
                check: "ratio_stated_vs_computed".into(),
                severity: Severity::Error,
                message: format!(
                    "“三公”经费控制率写作 {:.2}%，按决算 {} ÷ 预算 {} 应为 {:.2}%",
                    ratio * 100.0,
                    fmt(a),
                    fmt(b),
                    a / b * 100.0
                ),
                fields: vec![
                    "three_public_ratio".into(),
                    "three_public_actual".into(),
                    "three_public_budget".into(),
                ],
                values: vec![fmt(ratio), fmt(a), fmt(b)],
            });
        }
    }

    // More staff in post than posts. Overstaffing (超编) happens, but more
    // often the two counts are of different scopes: 在编人数（含工勤人员）
    // read beside 行政编制, whose ratio would then mislead.
    if let (Some(actual), Some(authorized)) = (n(Field::StaffActual), n(Field::StaffAuthorized)) {
        if actual > authorized {
            checks.push(Check {
                check: "staff_actual_exceeds_authorized".into(),
                severity: Severity::Warning,
                message: format!(
                    "实有/在编人数 {} 多于编制数 {}：或为超编，或两数口径不同（如一个含工勤人员或事业编制），请核对",
                    fmt(actual),
                    fmt(authorized)
                ),
                fields: vec!["staff_actual".into(), "staff_authorized".into()],
                values: vec![fmt(actual), fmt(authorized)],
            });
        }
    }

    // Scores: indicators within their maximum, sections adding up to the total.
    for i in &f.indicators {
        if let (Some(s), Some(m)) = (i.score, i.max_score) {
            if s > m + tol.score {
                checks.push(Check {
                    check: "indicator_over_max".into(),
                    severity: Severity::Warning,
                    message: format!("指标“{}”得分 {} 超过其分值 {}", i.indicator, fmt(s), fmt(m)),
                    fields: vec!["indicators".into()],
                    values: vec![fmt(s), fmt(m)],
                });
            }
        }
    }
    // A stated section score should be the sum of its (top-level) indicators.
    for section in &cfg.score.sections {
        let Some(field) = Field::from_name(&section.id) else {
            continue;
        };
        let Some(stated) = n(field).filter(|_| !f.is_derived(field)) else {
            continue;
        };
        let leaves: Vec<f64> = crate::extract::top_level(&f.indicators, &section.title)
            .iter()
            .filter_map(|i| i.score)
            .collect();
        if leaves.len() >= 2 {
            let sum: f64 = leaves.iter().sum();
            if (sum - stated).abs() > tol.score {
                checks.push(Check {
                    check: "indicators_vs_section".into(),
                    severity: Severity::Warning,
                    message: format!(
                        "“{}”各指标得分合计 {}，与该部分得分 {} 不符",
                        section.title,
                        fmt(sum),
                        fmt(stated)
                    ),
                    fields: vec![field.name().to_string(), "indicators".into()],
                    values: vec![fmt(sum), fmt(stated)],
                });
            }
        }
    }

    // (No scheme named: no section of a named scheme holds a score, and
    // every section, of every scheme, would have to.)
    let scheme = f.score_scheme.as_deref();
    if let (Some(total), Some(sum)) = (n(Field::ScoreTotal), sections_and_bonus(cfg, scheme, n)) {
        if (sum - total).abs() > tol.score {
            let capped = capped_at_100(sum, total, tol.score);
            checks.push(Check {
                check: "score_sections_vs_total".into(),
                severity: if capped { Severity::Info } else { Severity::Error },
                message: if capped {
                    format!(
                        "各部分得分加加减分合计 {}，超过 100 分，报告总分按上限记为 {}",
                        fmt(sum),
                        fmt(total)
                    )
                } else {
                    format!("各部分得分加加减分合计 {} 与自评总分 {} 不符", fmt(sum), fmt(total))
                },
                fields: scored_sections(cfg, scheme)
                    .map(|s| s.name().to_string())
                    .chain(["score_bonus".into(), "score_total".into()])
                    .collect(),
                values: vec![fmt(sum), fmt(total)],
            });
        }
    }
    if let Some(total) = n(Field::ScoreTotal) {
        if total > 100.0 + cfg.score.bonus_cap + tol.score {
            checks.push(Check {
                check: "score_above_cap".into(),
                severity: Severity::Error,
                message: format!(
                    "自评总分 {} 超过 100 分加加分上限 {}",
                    fmt(total),
                    fmt(cfg.score.bonus_cap)
                ),
                fields: vec!["score_total".into()],
                values: vec![fmt(total)],
            });
        }
    }

    // The evaluated year should be plausible.
    if let Some(y) = n(Field::FiscalYear) {
        if y < f64::from(cfg.year.min) || y > f64::from(cfg.year.max) {
            checks.push(Check {
                check: "fiscal_year_implausible".into(),
                severity: Severity::Warning,
                message: format!("评价年度 {y} 不在合理范围内"),
                fields: vec!["fiscal_year".into()],
                values: vec![fmt(y)],
            });
        }
    }

    for field in CORE {
        if f.get(field).is_none()
            && !checks
                .iter()
                .chain(&f.checks)
                .any(|c| c.fields.iter().any(|x| x == field.name()))
        {
            checks.push(Check {
                check: "missing_core_field".into(),
                severity: Severity::Info,
                message: format!("未能从报告中提取{}", field.label_zh()),
                fields: vec![field.name().into()],
                values: vec![],
            });
        }
    }
    f.checks.extend(checks);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Fact, Provenance, Value};

    /// Facts with these values, scored under the scheme (as the extractor
    /// sets it) whose own sections the values name.
    fn facts(vals: &[(Field, f64)]) -> ReportFacts {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let score_scheme = cfg
            .score
            .sections
            .iter()
            .find(|s| s.scheme.is_some() && vals.iter().any(|(f, _)| f.name() == s.id))
            .and_then(|s| s.scheme.clone());
        ReportFacts {
            score_scheme,
            facts: vals
                .iter()
                .map(|(f, v)| Fact {
                    field: f.name().into(),
                    value: Value::Num(*v),
                    derived: false,
                    provenance: Provenance::default(),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn ids(f: &ReportFacts) -> Vec<(&str, Severity)> {
        f.checks.iter().map(|c| (c.check.as_str(), c.severity)).collect()
    }

    #[test]
    fn sums_that_do_not_add_up_are_errors() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let mut f = facts(&[
            (Field::ExpenditureTotal, 823.55),
            (Field::ExpenditureBasic, 585.91),
            (Field::ExpenditureProject, 237.64),
        ]);
        validate(&cfg, &mut f);
        assert!(!ids(&f).iter().any(|(c, _)| *c == "sum_basic_project"));
        let mut f = facts(&[
            (Field::ExpenditureTotal, 823.55),
            (Field::ExpenditureBasic, 585.91),
            (Field::ExpenditureProject, 230.0),
        ]);
        validate(&cfg, &mut f);
        assert!(ids(&f).contains(&("sum_basic_project", Severity::Error)));
    }

    #[test]
    fn more_staff_in_post_than_posts_is_flagged_and_fewer_is_not() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let flagged = |actual: f64, authorized: f64| {
            let mut f = facts(&[(Field::StaffActual, actual), (Field::StaffAuthorized, authorized)]);
            validate(&cfg, &mut f);
            f.checks
                .iter()
                .filter(|c| c.check == "staff_actual_exceeds_authorized" && c.severity == Severity::Warning)
                .map(|c| c.values.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(flagged(29.0, 26.0), [["29", "26"]]);
        assert!(flagged(24.0, 26.0).is_empty());
        assert!(flagged(35.0, 35.0).is_empty());
    }

    /// A part above its whole is an error where the sum check cannot say it
    /// (another part is missing), and only the sum check speaks where it can.
    #[test]
    fn a_part_larger_than_its_whole_is_an_error() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let exceeds = |f: &ReportFacts| -> Vec<Vec<String>> {
            f.checks
                .iter()
                .filter(|c| c.check == "part_exceeds_whole" && c.severity == Severity::Error)
                .map(|c| c.fields.clone())
                .collect()
        };
        let mut f = facts(&[(Field::ExpenditureTotal, 82.355), (Field::ExpenditureBasic, 585.91)]);
        validate(&cfg, &mut f);
        assert_eq!(exceeds(&f), [["expenditure_basic", "expenditure_total"]]);
        let mut f = facts(&[
            (Field::ExpenditureTotal, 823.55),
            (Field::ThreePublicActual, 900.0),
            (Field::BudgetInitial, 800.0),
            (Field::ThreePublicBudget, 12.5),
        ]);
        validate(&cfg, &mut f);
        assert_eq!(exceeds(&f), [["three_public_actual", "expenditure_total"]]);
        // Both parts stated: the sum check says it, once.
        let mut f = facts(&[
            (Field::ExpenditureTotal, 82.355),
            (Field::ExpenditureBasic, 585.91),
            (Field::ExpenditureProject, 237.64),
        ]);
        validate(&cfg, &mut f);
        assert!(exceeds(&f).is_empty());
        assert!(ids(&f).contains(&("sum_basic_project", Severity::Error)));
        // Within the tolerance a part equal to its whole is fine.
        let mut f = facts(&[(Field::ExpenditureTotal, 823.55), (Field::ExpenditureBasic, 823.56)]);
        validate(&cfg, &mut f);
        assert!(exceeds(&f).is_empty());
    }

    /// Sections add up to the total within the report's scheme: the
    /// 决策 / 过程 / 产出 / 效益 scheme's four, not the usual three (which it
    /// lacks, and whose absence is no missing score).
    #[test]
    fn sections_add_up_within_the_reports_scheme() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let four = |total: f64| {
            facts(&[
                (Field::ScoreTotal, total),
                (Field::ScoreDecision, 18.0),
                (Field::ScoreProcess, 19.0),
                (Field::ScoreOutput, 37.0),
                (Field::ScoreBenefit, 18.0),
            ])
        };
        let mut f = four(92.0);
        validate(&cfg, &mut f);
        assert!(
            !ids(&f).iter().any(|(c, _)| *c == "score_sections_vs_total"),
            "{:?}",
            f.checks
        );
        let mut f = four(95.0);
        validate(&cfg, &mut f);
        let check = f.checks.iter().find(|c| c.check == "score_sections_vs_total");
        assert_eq!(check.map(|c| c.severity), Some(Severity::Error));
        assert_eq!(
            check.map(|c| c.fields.clone()).unwrap_or_default(),
            [
                "score_decision",
                "score_process",
                "score_output",
                "score_benefit",
                "score_bonus",
                "score_total"
            ]
        );
        // (The usual scheme's sums: cap_at_100_is_info_not_error.)
    }

    #[test]
    fn cap_at_100_is_info_not_error() {
        let cfg = crate::config::Rules::bundled().unwrap().config;
        let mut f = facts(&[
            (Field::ScoreTotal, 100.0),
            (Field::ScoreBudgetPreparation, 28.0),
            (Field::ScoreBudgetExecution, 40.0),
            (Field::ScoreEffectiveness, 30.0),
            (Field::ScoreBonus, 3.5),
        ]);
        validate(&cfg, &mut f);
        assert!(ids(&f).contains(&("score_sections_vs_total", Severity::Info)));
        let mut f = facts(&[
            (Field::ScoreTotal, 95.0),
            (Field::ScoreBudgetPreparation, 28.0),
            (Field::ScoreBudgetExecution, 40.0),
            (Field::ScoreEffectiveness, 30.0),
        ]);
        validate(&cfg, &mut f);
        assert!(ids(&f).contains(&("score_sections_vs_total", Severity::Error)));
    }
}
