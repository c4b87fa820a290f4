//! Plain typed structs that the stages pass to each other.

use serde::{Deserialize, Serialize};

/// A column of `reports.parquet` that the extractor fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Field {
    Department,
    Province,
    City,
    County,
    RegionCode,
    FiscalYear,
    RevenueTotal,
    ExpenditureTotal,
    ExpenditureBasic,
    ExpenditurePersonnel,
    ExpenditurePublicUse,
    ExpenditureProject,
    BudgetInitial,
    ThreePublicActual,
    ThreePublicBudget,
    ThreePublicRatio,
    OutboundTravelActual,
    VehicleActual,
    VehicleBudget,
    ReceptionActual,
    ReceptionBudget,
    ScoreTotal,
    Grade,
    ScoreBudgetPreparation,
    ScoreBudgetExecution,
    ScoreEffectiveness,
    ScoreBonus,
    StaffAuthorized,
    StaffActual,
    ScoreDecision,
    ScoreProcess,
    ScoreOutput,
    ScoreBenefit,
}

/// What kind of value a field holds (drives the Parquet type and the workbook format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Year,
    Money,
    Rate,
    Score,
    Count,
}

impl Field {
    pub const ALL: [Field; 33] = [
        Field::Department,
        Field::Province,
        Field::City,
        Field::County,
        Field::RegionCode,
        Field::FiscalYear,
        Field::RevenueTotal,
        Field::ExpenditureTotal,
        Field::ExpenditureBasic,
        Field::ExpenditurePersonnel,
        Field::ExpenditurePublicUse,
        Field::ExpenditureProject,
        Field::BudgetInitial,
        Field::ThreePublicActual,
        Field::ThreePublicBudget,
        Field::ThreePublicRatio,
        Field::OutboundTravelActual,
        Field::VehicleActual,
        Field::VehicleBudget,
        Field::ReceptionActual,
        Field::ReceptionBudget,
        Field::ScoreTotal,
        Field::Grade,
        Field::ScoreBudgetPreparation,
        Field::ScoreBudgetExecution,
        Field::ScoreEffectiveness,
        Field::ScoreBonus,
        Field::StaffAuthorized,
        Field::StaffActual,
        Field::ScoreDecision,
        Field::ScoreProcess,
        Field::ScoreOutput,
        Field::ScoreBenefit,
    ];

    /// The column name of SCHEMA.md.
    pub fn name(self) -> &'static str {
        match self {
            Field::Department => "department",
            Field::Province => "province",
            Field::City => "city",
            Field::County => "county",
            Field::RegionCode => "region_code",
            Field::FiscalYear => "fiscal_year",
            Field::RevenueTotal => "revenue_total",
            Field::ExpenditureTotal => "expenditure_total",
            Field::ExpenditureBasic => "expenditure_basic",
            Field::ExpenditurePersonnel => "expenditure_personnel",
            Field::ExpenditurePublicUse => "expenditure_public_use",
            Field::ExpenditureProject => "expenditure_project",
            Field::BudgetInitial => "budget_initial",
            Field::ThreePublicActual => "three_public_actual",
            Field::ThreePublicBudget => "three_public_budget",
            Field::ThreePublicRatio => "three_public_ratio",
            Field::OutboundTravelActual => "outbound_travel_actual",
            Field::VehicleActual => "vehicle_actual",
            Field::VehicleBudget => "vehicle_budget",
            Field::ReceptionActual => "reception_actual",
            Field::ReceptionBudget => "reception_budget",
            Field::ScoreTotal => "score_total",
            Field::Grade => "grade",
            Field::ScoreBudgetPreparation => "score_budget_preparation",
            Field::ScoreBudgetExecution => "score_budget_execution",
            Field::ScoreEffectiveness => "score_effectiveness",
            Field::ScoreBonus => "score_bonus",
            Field::StaffAuthorized => "staff_authorized",
            Field::StaffActual => "staff_actual",
            Field::ScoreDecision => "score_decision",
            Field::ScoreProcess => "score_process",
            Field::ScoreOutput => "score_output",
            Field::ScoreBenefit => "score_benefit",
        }
    }

    /// Header of the workbook column, with its unit.
    pub fn label_zh(self) -> &'static str {
        match self {
            Field::Department => "部门（单位）",
            Field::Province => "省",
            Field::City => "市",
            Field::County => "县（区）",
            Field::RegionCode => "区划代码",
            Field::FiscalYear => "年度",
            Field::RevenueTotal => "收入合计（万元）",
            Field::ExpenditureTotal => "支出合计（万元）",
            Field::ExpenditureBasic => "基本支出（万元）",
            Field::ExpenditurePersonnel => "人员经费（万元）",
            Field::ExpenditurePublicUse => "公用经费（万元）",
            Field::ExpenditureProject => "项目支出（万元）",
            Field::BudgetInitial => "年初预算（万元）",
            Field::ThreePublicActual => "“三公”经费决算（万元）",
            Field::ThreePublicBudget => "“三公”经费预算（万元）",
            Field::ThreePublicRatio => "“三公”经费控制率",
            Field::OutboundTravelActual => "因公出国（境）费（万元）",
            Field::VehicleActual => "公务用车费决算（万元）",
            Field::VehicleBudget => "公务用车费预算（万元）",
            Field::ReceptionActual => "公务接待费决算（万元）",
            Field::ReceptionBudget => "公务接待费预算（万元）",
            Field::ScoreTotal => "自评得分（分）",
            Field::Grade => "等级",
            Field::ScoreBudgetPreparation => "预算编制得分（分）",
            Field::ScoreBudgetExecution => "预算执行得分（分）",
            Field::ScoreEffectiveness => "资金使用效益得分（分）",
            Field::ScoreBonus => "加减分（分）",
            Field::StaffAuthorized => "编制数（人）",
            Field::StaffActual => "实有人数（人）",
            Field::ScoreDecision => "决策得分（分）",
            Field::ScoreProcess => "过程得分（分）",
            Field::ScoreOutput => "产出得分（分）",
            Field::ScoreBenefit => "效益得分（分）",
        }
    }

    /// What the column means, for the workbook's 字段说明 sheet.
    pub fn meaning_zh(self) -> &'static str {
        match self {
            Field::Department => "报告所称的部门（单位）全称",
            Field::Province => "部门所属省级行政区（全称）",
            Field::City => "部门所属地级行政区（直辖市同省）",
            Field::County => "部门所属县级行政区；市级部门为空",
            Field::RegionCode => "最具体已知行政区的 GB/T 2260 六位代码",
            Field::FiscalYear => "报告评价的年度（不是填报年度）",
            Field::RevenueTotal => "收入合计 / 决算收入",
            Field::ExpenditureTotal => "支出合计 / 总支出",
            Field::ExpenditureBasic => "基本支出",
            Field::ExpenditurePersonnel => "人员经费（基本支出的一部分）",
            Field::ExpenditurePublicUse => "公用经费（基本支出的一部分）",
            Field::ExpenditureProject => "项目支出",
            Field::BudgetInitial => "年初预算 / 预算安排总额",
            Field::ThreePublicActual => "“三公”经费决算（实际支出）",
            Field::ThreePublicBudget => "“三公”经费预算",
            Field::ThreePublicRatio => "“三公”经费控制率 = 决算 ÷ 预算",
            Field::OutboundTravelActual => "因公出国（境）费决算",
            Field::VehicleActual => "公务用车购置及运行维护费决算",
            Field::VehicleBudget => "公务用车购置及运行维护费预算",
            Field::ReceptionActual => "公务接待费决算",
            Field::ReceptionBudget => "公务接待费预算",
            Field::ScoreTotal => "报告所述自评总得分",
            Field::Grade => "优秀 / 良好 / 中 / 差（报告所述，或按分档推算）",
            Field::ScoreBudgetPreparation => "预算编制部分得分（常见满分 28）",
            Field::ScoreBudgetExecution => "预算执行部分得分（常见满分 42）",
            Field::ScoreEffectiveness => "资金使用效益部分得分（常见满分 30）",
            Field::ScoreBonus => "加减分",
            Field::StaffAuthorized => "编制数",
            Field::StaffActual => "实有 / 在编人数",
            Field::ScoreDecision => "决策（投入）部分得分：决策、过程、产出、效益四部分的评分体系",
            Field::ScoreProcess => "过程部分得分（决策、过程、产出、效益体系）",
            Field::ScoreOutput => "产出部分得分（决策、过程、产出、效益体系）",
            Field::ScoreBenefit => "效益（效果）部分得分（决策、过程、产出、效益体系）",
        }
    }

    /// The unit of the column, for the workbook.
    pub fn unit_zh(self) -> &'static str {
        match self.kind() {
            FieldKind::Money => "万元",
            FieldKind::Rate => "比率（0.48 = 48%）",
            FieldKind::Score => "分",
            FieldKind::Count => "人",
            FieldKind::Year => "年",
            FieldKind::Text => "",
        }
    }

    pub fn kind(self) -> FieldKind {
        use Field::*;
        match self {
            Department | Province | City | County | RegionCode | Grade => FieldKind::Text,
            FiscalYear => FieldKind::Year,
            ThreePublicRatio => FieldKind::Rate,
            ScoreTotal
            | ScoreBudgetPreparation
            | ScoreBudgetExecution
            | ScoreEffectiveness
            | ScoreBonus
            | ScoreDecision
            | ScoreProcess
            | ScoreOutput
            | ScoreBenefit => FieldKind::Score,
            StaffAuthorized | StaffActual => FieldKind::Count,
            _ => FieldKind::Money,
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// An extracted or derived value. Written as a bare JSON number or string.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Num(f64),
    Text(String),
}

/// Read back by the JSON token's type: `3` is an Int, `3.0` a Num, `"3"` a
/// Text (an integer past i64 a Num). A visitor, not `untagged`: that tries
/// each variant in turn and formats an error for every miss, which was a
/// tenth of a re-run's time spent reading the cache.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl serde::de::Visitor<'_> for ValueVisitor {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(i64::try_from(v).map_or(Value::Num(v as f64), Value::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Num(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Value, E> {
                Ok(Value::Text(v))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Num(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            Value::Text(_) => None,
        }
    }

    /// As written into `facts.value`.
    pub fn render(&self) -> String {
        match self {
            Value::Num(v) => format_num(*v),
            Value::Int(v) => v.to_string(),
            Value::Text(s) => s.clone(),
        }
    }
}

/// Shortest decimal that round-trips after rounding to 6 places.
pub fn format_num(v: f64) -> String {
    let r = (v * 1e6).round() / 1e6;
    let s = format!("{r:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Where a value came from: a span of the normalised text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Which rule found it (e.g. `money:keyword`, `derived:sum`).
    pub rule: String,
    /// The sentence around it.
    pub snippet: String,
    /// Character offsets into the normalised text (end exclusive).
    pub char_start: i64,
    pub char_end: i64,
    pub page: Option<i32>,
}

/// One value of one report with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub field: String,
    pub value: Value,
    pub derived: bool,
    #[serde(flatten)]
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A consistency finding or an explanation of a null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Stable id, e.g. `conflict`, `sum_basic_project`.
    pub check: String,
    pub severity: Severity,
    /// In Chinese, for a finance officer.
    pub message: String,
    /// The fields it refers to.
    pub fields: Vec<String>,
    /// The numbers involved, rendered.
    pub values: Vec<String>,
}

/// A scored indicator line (指标, 分值, 得分).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub section: String,
    pub indicator: String,
    pub max_score: Option<f64>,
    pub score: Option<f64>,
    pub parent: Option<String>,
    pub rule: String,
    pub snippet: String,
    pub char_start: i64,
    pub char_end: i64,
}

/// The total row (合计) of a scoring table: the report's total as the table states it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableTotal {
    pub score: f64,
    pub max_score: Option<f64>,
    /// The row as the document's text line reads it (its cells joined with ` | `).
    pub row: String,
}

/// A functional class of spending (一般公共服务支出 371.79 万元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionSpending {
    pub function_class: String,
    pub amount: f64,
    pub snippet: String,
    pub char_start: i64,
    pub char_end: i64,
}

/// Everything extracted from one report, before it becomes rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportFacts {
    /// 绩效自评报告 / 绩效评价报告 / 部门决算 / 单位决算 / 部门预算 / 单位预算 /
    /// 项目支出绩效报告 / 其他 (`[[document_kinds]]`).
    pub document_kind: String,
    /// The scoring scheme (`[[score.sections]]`'s `scheme`) whose sections
    /// hold the report's section scores or indicators; none when no section
    /// of a named scheme holds any.
    #[serde(default)]
    pub score_scheme: Option<String>,
    /// One fact per filled field (the wide row is built from these).
    pub facts: Vec<Fact>,
    pub indicators: Vec<Indicator>,
    pub functions: Vec<FunctionSpending>,
    pub problems: Vec<String>,
    pub checks: Vec<Check>,
}

impl ReportFacts {
    /// The fact of a field, with where it came from.
    pub fn fact(&self, field: Field) -> Option<&Fact> {
        self.facts.iter().find(|f| f.field == field.name())
    }

    pub fn get(&self, field: Field) -> Option<&Value> {
        self.fact(field).map(|f| &f.value)
    }

    pub fn num(&self, field: Field) -> Option<f64> {
        self.get(field).and_then(Value::as_f64)
    }

    pub fn text(&self, field: Field) -> Option<&str> {
        match self.get(field) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    pub fn is_derived(&self, field: Field) -> bool {
        self.facts.iter().any(|f| f.field == field.name() && f.derived)
    }
}

/// The status of a file the walk met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Ok,
    Failed,
    Skipped,
    Duplicate,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Failed => "failed",
            FileStatus::Skipped => "skipped",
            FileStatus::Duplicate => "duplicate",
        }
    }
}

/// One row of `files.parquet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub source_path: String,
    pub source_format: String,
    pub bytes: u64,
    pub sha256: Option<String>,
    pub status: FileStatus,
    pub error: Option<String>,
    pub report_id: Option<String>,
    /// Text encoding detected (utf-8, utf-16le, gb18030 …).
    pub encoding: Option<String>,
    /// The reader that produced the text (text, pdftotext, pdf-extract, docx, calamine, soffice).
    pub reader: Option<String>,
}

/// A report that was read: its identity plus its facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub report_id: String,
    pub source_path: String,
    pub source_format: String,
    pub facts: ReportFacts,
}

/// Per-stage wall time, summed over files (seconds).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StageTimes {
    pub walk: f64,
    pub read: f64,
    pub normalize: f64,
    pub extract: f64,
    pub validate: f64,
    /// The writer's work on the batches (Parquet, workbook rows, cache).
    pub write: f64,
    /// Wall seconds after the last batch until the outputs are in place: the
    /// cache closed, the checks across files, the summaries, the workbook's
    /// zip, the renames (measured once, as the manifest states it).
    /// No report is read meanwhile, so on many cores it bounds the run.
    #[serde(default)]
    pub finish: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The derive this replaced: the reading of every JSON value must not change.
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    enum Untagged {
        Int(i64),
        Num(f64),
        Text(String),
    }

    #[test]
    fn values_read_back_as_the_untagged_derive_read_them() {
        let inputs = [
            "3",
            "-3",
            "0",
            "3.0",
            "-0.5",
            "1e300",
            "12.345678",
            "9223372036854775807",
            "-9223372036854775808",
            "18446744073709551615",
            "\"3\"",
            "\"\"",
            "\"三公经费\"",
            "true",
            "null",
            "[1]",
            "{}",
        ];
        for json in inputs {
            let new = serde_json::from_str::<Value>(json).ok();
            let old = serde_json::from_str::<Untagged>(json).ok().map(|u| match u {
                Untagged::Int(i) => Value::Int(i),
                Untagged::Num(n) => Value::Num(n),
                Untagged::Text(t) => Value::Text(t),
            });
            assert_eq!(new, old, "{json}");
        }
        for v in [Value::Int(7), Value::Num(7.5), Value::Num(7.0), Value::Text("7".into())] {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), v, "{json}");
        }
    }
}
