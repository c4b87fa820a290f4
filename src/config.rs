//! Rules loaded from TOML (`config/default.toml`) and the region gazetteer.
//! The engine never hard-codes a keyword: everything a bureau may adapt is here.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::error::ConfigError;

/// The bundled rules, so the binary works from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");
/// The bundled gazetteer (GB/T 2260, see config/regions.SOURCE.md).
pub const DEFAULT_REGIONS: &str = include_str!("../config/regions.tsv");

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub limits: Limits,
    pub walk: Walk,
    pub formats: Formats,
    pub normalize: NormalizeRules,
    pub units: BTreeMap<String, f64>,
    pub context: ContextWords,
    pub sections: SectionKeywords,
    #[serde(default)]
    pub validate: crate::validate::Tolerances,
    pub score: ScoreRules,
    pub grades: Vec<GradeBand>,
    pub grade: GradeRules,
    pub department: DepartmentRules,
    pub year: YearRules,
    #[serde(default)]
    pub document_kinds: Vec<DocumentKind>,
    pub problems: ProblemRules,
    pub money: Vec<MoneyItem>,
    #[serde(default)]
    pub parts: Vec<PartsRule>,
    #[serde(default)]
    pub rates: Vec<RateRule>,
    #[serde(default)]
    pub counts: Vec<CountRule>,
    #[serde(default)]
    pub functions: Vec<FunctionClass>,
    #[serde(default)]
    pub unit_tables: UnitTableWords,
    /// Path of the gazetteer, relative to the config file; bundled when absent.
    #[serde(default)]
    pub regions_file: Option<String>,
}

/// Tables with a declared unit (单位：万元 above rows of bare numbers).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct UnitTableWords {
    /// A line ending with one of these and a `[units]` key declares the unit.
    pub declare_words: Vec<String>,
    /// A column whose header holds one of these is actual (决算数, 实际支出).
    pub header_actual_words: Vec<String>,
    /// Otherwise, one holding one of these is budget (预算数).
    pub header_budget_words: Vec<String>,
    /// Of several budget columns, the one holding one of these (年初预算数).
    pub header_initial_budget_words: Vec<String>,
}

impl Default for UnitTableWords {
    fn default() -> Self {
        UnitTableWords {
            declare_words: words(&["单位:", "金额单位:"]),
            header_actual_words: words(&["决算", "实际", "执行数", "支出数", "完成数"]),
            header_budget_words: words(&["预算"]),
            header_initial_budget_words: words(&["年初"]),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_text_bytes: usize,
    pub max_sentence_chars: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Walk {
    pub text_extensions: Vec<String>,
    pub known_extensions: Vec<String>,
    /// Delimited tables (a sheet saved as CSV): read as a workbook's sheet.
    /// `tsv` is split at tabs, every other one at commas.
    #[serde(default = "default_table_extensions")]
    pub table_extensions: Vec<String>,
}

fn default_table_extensions() -> Vec<String> {
    words(&["csv", "tsv"])
}

/// How non-text formats are read.
#[derive(Debug, Clone, Deserialize)]
pub struct Formats {
    /// `auto` (pdftotext when installed, else built-in), `pdftotext` or `builtin`.
    pub pdf_reader: String,
    pub pdftotext: String,
    pub soffice: String,
    /// Extensions converted with LibreOffice (`soffice --convert-to docx`) when installed.
    pub convert_with_soffice: Vec<String>,
    /// Per-file budget for an external reader or converter.
    pub timeout_seconds: u64,
    /// Zip bombs: the most a DOCX part may inflate to.
    pub max_decompressed_bytes: u64,
    pub max_sheet_cells: usize,
    /// Below this many visible characters per page a PDF has no usable text layer.
    pub min_text_chars_per_page: usize,
    /// Above this share of replacement / private-use characters it is garbled.
    pub max_garbled_share: f64,
    /// When one report comes in several formats, the first of these is read.
    pub richer_formats: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NormalizeRules {
    pub drop_lines: Vec<String>,
    pub running_header_min_repeats: usize,
    pub running_header_max_chars: usize,
    pub paragraph_end_chars: String,
    pub key_value_label_max_chars: usize,
    /// Labels that never make a key-value line (`其中：…` lists parts).
    #[serde(default = "default_key_value_not_labels")]
    pub key_value_not_labels: Vec<String>,
    /// Lines that, alone on theirs, label the bare number on the next line
    /// (a table's cells one per line), which is then not a page number.
    #[serde(default = "default_number_cell_labels")]
    pub number_cell_labels: Vec<String>,
    /// A short line before the first heading that ends with one of these is
    /// the report's title and ends its paragraph (关于…自评的报告 / 湘潭市岳塘区
    /// 教育局: the name on the next line is no part of the title).
    #[serde(default = "default_title_end_words")]
    pub title_end_words: Vec<String>,
    /// Pairs of characters: traditional, then simplified.
    #[serde(default)]
    pub traditional_to_simplified: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ContextWords {
    pub change_words: Vec<String>,
    pub previous_year_words: Vec<String>,
    pub approximate_words: Vec<String>,
    pub scope_words: Vec<String>,
    /// Words in the clause before a keyword that make its figure a part of
    /// the year's (一季度支出合计, 截至 6 月底): not the year's whole.
    #[serde(default)]
    pub partial_period_words: Vec<String>,
    /// Words right before a figure that make it where a change starts
    /// (支出合计由 1,100 万元增至 1,200 万元): the old figure, not the year's.
    #[serde(default = "default_from_words")]
    pub from_words: Vec<String>,
    /// Words after a list of names that pair it, in order, with the list of
    /// figures after them (基本支出和项目支出分别为 700 万元、500 万元).
    #[serde(default = "default_respectively_words")]
    pub respectively_words: Vec<String>,
    /// Words right before a scope word that make the figure include that
    /// scope, not be its alone (本部门（含下属单位）收入合计).
    #[serde(default = "default_inclusive_words")]
    pub inclusive_words: Vec<String>,
    /// Words in the clause before a money keyword that make its figure the
    /// department's own level alone (局本级收入合计): it yields to a figure of
    /// the whole department.
    #[serde(default = "default_own_level_words")]
    pub own_level_words: Vec<String>,
    /// What separates the names of such a list, and its figures.
    #[serde(default = "default_list_separators")]
    pub list_separators: Vec<String>,
    #[serde(default)]
    pub sub_item_words: Vec<String>,
    #[serde(default)]
    pub comparison_words: Vec<String>,
    pub budget_words: Vec<String>,
    pub actual_words: Vec<String>,
    pub current_words: Vec<String>,
    pub part_words: Vec<String>,
    pub zero_words: Vec<String>,
    /// What alone may stand between a keyword and its figure (收入为, 得分：).
    #[serde(default = "default_copula_words")]
    pub copula_words: Vec<String>,
    /// Words passed over between a keyword and a zero statement (支出无, 经费为零).
    #[serde(default = "default_zero_leads")]
    pub zero_leads: Vec<String>,
    /// Negations right before a keyword that state its zero (本年度无“三公”经费支出).
    #[serde(default = "default_zero_before")]
    pub zero_before: Vec<String>,
    /// Words passed over around the keyword in such a statement (没有财政拨款“三公”经费支出).
    #[serde(default = "default_zero_before_fillers")]
    pub zero_before_fillers: Vec<String>,
    /// What must follow the keyword (after the fillers) and end the statement.
    #[serde(default = "default_zero_before_ends")]
    pub zero_before_ends: Vec<String>,
    /// Words right before such a negation that make it a question (有无).
    #[serde(default = "default_zero_before_not_after")]
    pub zero_before_not_after: Vec<String>,
    /// Words right after a figure (and its unit) that make it inexact: an
    /// estimate or a bound (1200 万元左右, 28 人以上, 90 分以内).
    #[serde(default = "default_inexact_after_words")]
    pub inexact_after_words: Vec<String>,
    /// Words between two figures of one kind that make them a range's ends
    /// (1200 万元至 1300 万元, 90 分~95 分): neither is the figure.
    #[serde(default = "default_range_words")]
    pub range_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SectionKeywords {
    pub finance: Vec<String>,
    #[serde(default)]
    pub budget: Vec<String>,
    pub total_score: Vec<String>,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ScoreRules {
    pub min_total: f64,
    pub bonus_cap: f64,
    pub total_keywords: Vec<String>,
    pub total_keywords_strong: Vec<String>,
    /// Outside the conclusion, a plain total keyword that starts its clause
    /// names the total when its sentence names the department's whole
    /// spending before it, and no section (本部门对2017年整体支出开展绩效自评,自评得分90分).
    #[serde(default = "default_total_subject_words")]
    pub total_subject_words: Vec<String>,
    pub indicator_score_keywords: Vec<String>,
    pub indicator_rule_words: Vec<String>,
    pub max_keywords: Vec<String>,
    pub indicator_name_strip_prefixes: Vec<String>,
    pub indicator_name_strip_suffixes: Vec<String>,
    pub indicator_name_max_chars: usize,
    /// A name ends before one of these words when a number follows it: the
    /// score a heading states is not part of its name (预算编制情况总分 28 分 →
    /// 预算编制情况, as an indicator and as the parent of the ones below it).
    #[serde(default = "default_indicator_name_score_words")]
    pub indicator_name_score_words: Vec<String>,
    /// The word before a section's own score (预算编制情况总分 28 分，得分 28 分).
    #[serde(default = "default_section_score_words")]
    pub section_score_words: Vec<String>,
    /// A section keyword followed by a word (预算编制合理性, 预算执行率,
    /// 预算编制较合理) names an indicator or a phrase, not the section: only
    /// these words (or the section's title, a score or max word, or no word:
    /// a stop, a bracket, a figure) may follow it in a stated section score.
    #[serde(default = "default_section_keyword_followers")]
    pub section_keyword_followers: Vec<String>,
    /// A section keyword right after another CJK char is inside a phrase
    /// (only its score word may follow it; one of one or two chars ends a
    /// longer word: 科学决策, 社会效益), unless one of these words stands
    /// right before it (其中决策部分得分 18 分).
    #[serde(default = "default_section_keyword_leads")]
    pub section_keyword_leads: Vec<String>,
    /// A section heading holding one of these states its maximum
    /// (（一）预算编制（28分）): its indicators are the full scheme.
    #[serde(default = "default_section_max_marks")]
    pub section_max_marks: Vec<String>,
    /// Scoring tables in workbooks: header words of the indicator, score and
    /// maximum columns, words that make an indicator-named column something
    /// else, and words of total rows.
    #[serde(default = "default_table_indicator_words")]
    pub table_indicator_words: Vec<String>,
    #[serde(default = "default_table_score_words")]
    pub table_score_words: Vec<String>,
    /// A score column's header holding one of these is another score than
    /// this year's (上年得分, 目标得分): not the score column.
    #[serde(default = "default_table_not_score_words")]
    pub table_not_score_words: Vec<String>,
    #[serde(default = "default_table_max_words")]
    pub table_max_words: Vec<String>,
    #[serde(default = "default_table_not_name_words")]
    pub table_not_name_words: Vec<String>,
    #[serde(default = "default_table_total_words")]
    pub table_total_words: Vec<String>,
    #[serde(default)]
    pub indicator_inline: Vec<String>,
    #[serde(default)]
    pub indicator_introducers: Vec<String>,
    /// The fixed words of an introducer (的指标分值来看): where they stand
    /// without a whole introducer before them (its name broken by a line
    /// break), an indicator was missed, and the score search stops there.
    #[serde(default)]
    pub indicator_introducer_marks: Vec<String>,
    /// Words right before a maximum's keyword that make it a deduction
    /// (扣减指标分值 1 分), not the indicator's maximum.
    #[serde(default)]
    pub max_deduction_words: Vec<String>,
    /// Words right after `N 分` that make it a band's bound (得分 90 分以上为
    /// 优秀), not a score.
    #[serde(default)]
    pub band_after: Vec<String>,
    /// Words in a total keyword's clause that name another subject than the
    /// whole (项目支出绩效自评得分 92 分: the projects' score), unless a
    /// `total_subject_words` word names the whole there too.
    #[serde(default)]
    pub total_other_subject_words: Vec<String>,
    /// Words of a target or the future in a score's clause (a grade's
    /// sentence): 力争下一年度自评得分达到 95 分, 目标是自评得分 95 分 state
    /// no score of the year.
    #[serde(default = "default_target_words")]
    pub target_words: Vec<String>,
    /// Words of another's review before a score in its sentence: 经区财政局
    /// 复核，…得分为 85 分 is the reviewer's score, not the self-evaluation's.
    #[serde(default = "default_review_words")]
    pub review_words: Vec<String>,
    /// Words right before a total keyword that make it the final score, after
    /// bonus and deductions (自评得分 91 分，加分 2 分，扣分 1 分，最终得分 92 分):
    /// it outranks the other totals of the conclusion.
    #[serde(default = "default_final_words")]
    pub final_words: Vec<String>,
    /// Words right before a one-char score keyword (得 5 分) that make it a
    /// scoring rule's case: 目标明确的得 5 分, 完成者得 5 分.
    #[serde(default = "default_indicator_rule_before_bare")]
    pub indicator_rule_before_bare: Vec<String>,
    /// A scheme other than the first scores a report only when its headings
    /// (一、 and （一） levels) name at least this many of its sections, and
    /// more than they name of the first's.
    #[serde(default = "default_scheme_min_sections")]
    pub scheme_min_sections: usize,
    pub sections: Vec<ScoreSection>,
}

impl ScoreRules {
    /// The scoring schemes the sections name, in config order (empty: the
    /// sections are one scheme, unnamed).
    pub fn schemes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for name in self.sections.iter().filter_map(|s| s.scheme.as_deref()) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// The sections a report scored under `scheme` has: the scheme's own and
    /// those of every scheme (the bonus); `None`: every section.
    pub fn sections_in<'a>(&'a self, scheme: Option<&'a str>) -> impl Iterator<Item = &'a ScoreSection> + 'a {
        self.sections
            .iter()
            .filter(move |s| scheme.is_none() || s.scheme.is_none() || s.scheme.as_deref() == scheme)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ScoreSection {
    /// The `reports` column this section's score fills.
    pub id: String,
    pub title: String,
    pub keywords: Vec<String>,
    /// The scoring scheme the section is a part of (预算编制·预算执行·资金使用效益,
    /// 决策·过程·产出·效益); none: a part of every scheme (the bonus).
    #[serde(default)]
    pub scheme: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GradeBand {
    pub name: String,
    pub min: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GradeRules {
    pub stated_after: Vec<String>,
    #[serde(default)]
    pub synonyms: BTreeMap<String, String>,
    /// Words that deny a grade right after them (未达到优秀等级): where the
    /// score's sentence or the conclusion denies the band its score falls
    /// in, the grade is not derived from the band.
    #[serde(default = "default_denial_words")]
    pub denial_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DepartmentRules {
    pub labels: Vec<String>,
    pub suffixes: Vec<String>,
    pub stop_words: Vec<String>,
    pub prefixes: Vec<String>,
    /// Characters that may follow a region's short form in a name (乐昌市委).
    #[serde(default = "default_short_form_followers")]
    pub region_short_form_followers: String,
    #[serde(default)]
    pub title_words: Vec<String>,
    /// On a title line the name ends at the first digit, else at the first of
    /// these found (in this order).
    #[serde(default = "default_title_cut_words")]
    pub title_cut_words: Vec<String>,
    /// A title starting with one of these has the name right after it (关于XX局…的报告).
    #[serde(default = "default_title_name_after")]
    pub title_name_after: Vec<String>,
    pub min_chars: usize,
    pub max_chars: usize,
    /// A labelled name that fills its line may be cut when up to this many
    /// CJK chars starting the next line lengthen it into a name (部门名称：
    /// 乐昌市人民政府 / 办公室): the label is not read for it (0: always read).
    #[serde(default = "default_name_fragment_max_chars")]
    pub name_fragment_max_chars: usize,
}

fn default_name_fragment_max_chars() -> usize {
    8
}

impl ContextWords {
    /// Whether `gap` (trimmed) may stand between a keyword and its figure.
    pub fn is_copula(&self, gap: &str) -> bool {
        gap.is_empty() || self.copula_words.iter().any(|w| w == gap)
    }

    /// `s` without the copulas (and spaces) it starts with: 为: 700 → 700.
    pub fn trim_copulas_start<'s>(&self, mut s: &'s str) -> &'s str {
        // (Words are never empty: the config is checked when loaded.)
        while let Some(r) = self
            .copula_words
            .iter()
            .find_map(|w| s.trim_start().strip_prefix(w.as_str()))
        {
            s = r;
        }
        s.trim_start()
    }

    /// `s` without the copulas (and spaces) it ends with: 评价年度为 → 评价年度.
    pub fn trim_copulas_end<'s>(&self, mut s: &'s str) -> &'s str {
        while let Some(r) = self
            .copula_words
            .iter()
            .find_map(|w| s.trim_end().strip_suffix(w.as_str()))
        {
            s = r;
        }
        s.trim_end()
    }
}

fn default_short_form_followers() -> String {
    "市县区州委镇乡街府人财教公".to_string()
}

// Defaults of keys added after the first release, so that a bureau's copy of
// an older config/default.toml reads the same as before.
fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| (*s).to_string()).collect()
}
fn default_key_value_not_labels() -> Vec<String> {
    words(&["其中"])
}
fn default_title_end_words() -> Vec<String> {
    words(&["报告", "自评表", "的函"])
}
fn default_number_cell_labels() -> Vec<String> {
    words(&[
        "人员编制",
        "编制人数",
        "编制数",
        "核定编制",
        "核定编制数",
        "编制总数",
        "实有人数",
        "实有人员",
        "在职人数",
        "在编人数",
        "实有在编人数",
        "在岗人数",
    ])
}
fn default_none_statements() -> Vec<String> {
    words(&[
        "不存在问题",
        "不存在明显问题",
        "未发现问题",
        "未发现重大问题",
        "未发现明显问题",
        "无重大问题",
        "无明显问题",
        "没有发现问题",
        "暂无问题",
    ])
}
fn default_none_statement_max_chars() -> usize {
    24
}
fn default_inline_markers() -> Vec<String> {
    words(&[
        "一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是",
    ])
}
fn default_year_labels() -> Vec<String> {
    words(&["评价年度", "报告年度", "所属年度", "自评年度", "考核年度", "评价期间"])
}
fn default_from_words() -> Vec<String> {
    words(&["由", "从"])
}
fn default_respectively_words() -> Vec<String> {
    words(&["分别", "依次为", "依次是"])
}
fn default_inclusive_words() -> Vec<String> {
    words(&["含", "包括", "包含"])
}
fn default_own_level_words() -> Vec<String> {
    words(&["本级"])
}
fn default_list_separators() -> Vec<String> {
    words(&["、", "和", "及", "与", "以及"])
}
fn default_closing_starts() -> Vec<String> {
    words(&[
        "附件",
        "附表",
        "附:",
        "改进措施",
        "整改措施",
        "改进建议",
        "意见建议",
        "原因分析",
        "下一步工作",
        "下一步措施",
        "下一步打算",
        "下一步计划",
    ])
}
fn default_inline_numbered_markers() -> Vec<String> {
    words(&["1、", "2、", "3、", "4、", "5、", "6、", "7、", "8、", "9、"])
}
fn default_denial_words() -> Vec<String> {
    words(&[
        "未达到",
        "未达",
        "没有达到",
        "没达到",
        "达不到",
        "未能达到",
        "未评为",
        "未被评为",
        "未能评为",
        "不属于",
    ])
}
fn default_final_words() -> Vec<String> {
    words(&["最终", "最后"])
}
fn default_review_words() -> Vec<String> {
    words(&["复核", "复评", "抽评", "再评价"])
}
fn default_target_words() -> Vec<String> {
    words(&[
        "力争",
        "争取",
        "目标是",
        "目标为",
        "下一年度",
        "下一年",
        "下年度",
        "明年",
        "今后",
    ])
}
fn default_indicator_rule_before_bare() -> Vec<String> {
    words(&["的", "者"])
}
fn default_inexact_after_words() -> Vec<String> {
    words(&["左右", "上下", "以上", "以下", "以内", "之内", "之间", "多", "余"])
}
fn default_range_words() -> Vec<String> {
    words(&["至", "到", "~", "〜", "-", "—", "–"])
}
fn default_copula_words() -> Vec<String> {
    words(&["为", ":", "是"])
}
fn default_zero_leads() -> Vec<String> {
    words(&["支出", "费用", "经费", "决算数", "决算", "实际", "均", "为"])
}
fn default_zero_before() -> Vec<String> {
    words(&["无", "没有", "未发生"])
}
fn default_zero_before_fillers() -> Vec<String> {
    words(&["财政拨款", "用"])
}
fn default_zero_before_ends() -> Vec<String> {
    words(&["支出"])
}
fn default_zero_before_not_after() -> Vec<String> {
    words(&["有"])
}
fn default_scheme_min_sections() -> usize {
    3
}
fn default_total_subject_words() -> Vec<String> {
    words(&["整体支出", "部门整体"])
}
fn default_indicator_name_score_words() -> Vec<String> {
    words(&["总分", "满分", "分值", "得分"])
}
fn default_section_keyword_followers() -> Vec<String> {
    words(&["情况", "部分", "方面", "类", "合计", "共计", "共", "自评", "指标"])
}
fn default_section_keyword_leads() -> Vec<String> {
    words(&["其中", "另", "共", "即", "对", "在", "从", "和", "及", "与", "部门"])
}
fn default_section_score_words() -> Vec<String> {
    words(&["得分"])
}
fn default_section_max_marks() -> Vec<String> {
    words(&["分)", "总分"])
}
fn default_table_indicator_words() -> Vec<String> {
    words(&["指标"])
}
fn default_table_not_score_words() -> Vec<String> {
    words(&["上年", "去年", "上一年", "前年", "目标"])
}
fn default_table_score_words() -> Vec<String> {
    words(&["得分"])
}
fn default_table_max_words() -> Vec<String> {
    words(&["分值", "满分", "权重", "标准分"])
}
fn default_table_not_name_words() -> Vec<String> {
    words(&["得分", "分值", "解释"])
}
fn default_table_total_words() -> Vec<String> {
    words(&["合计", "总分"])
}
fn default_title_cut_words() -> Vec<String> {
    words(&["部门整体", "关于"])
}
fn default_title_name_after() -> Vec<String> {
    words(&["关于"])
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocumentKind {
    pub kind: String,
    pub title: Vec<String>,
    /// Unqualified amounts of this kind of document are budgets (部门预算).
    #[serde(default)]
    pub amounts_are_budgets: bool,
    /// Words that, in the title, rule this kind out: 部门整体支出及项目支出绩效自评报告
    /// is a department's report though it names its projects too.
    #[serde(default)]
    pub unless_title: Vec<String>,
    /// Only the department, year and region of this kind are the
    /// department's: its amounts, scores and staff are something else's (a
    /// project's), so they are not read, and a check says so.
    #[serde(default)]
    pub identity_only: bool,
    /// A document of one budget unit (单位预算, 单位决算), not of the department
    /// with the units under it: where a department's files of one year state a
    /// figure differently, a department-wide file's figure stands for it.
    #[serde(default)]
    pub unit_scope: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct YearRules {
    pub min: i32,
    pub max: i32,
    pub strong_after: Vec<String>,
    /// Words before `YYYY 年` in its clause that make it a year planned or
    /// forecast (预计2024年支出…), not the one evaluated: not counted.
    #[serde(default)]
    pub forecast_before: Vec<String>,
    /// Labels that name the evaluated year right before it (评价年度为2023年,
    /// 报告年度：2023): such a year outranks the title's and the most frequent.
    #[serde(default = "default_year_labels")]
    pub label_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProblemRules {
    pub max_items: usize,
    pub max_item_chars: usize,
    /// A short paragraph holding one of these says there is no problem
    /// (本部门不存在问题, 未发现重大问题): it is no item.
    #[serde(default = "default_none_statements")]
    pub none_statements: Vec<String>,
    /// How long (chars, without its full stop) a paragraph may be and still
    /// be read as such a statement; a longer one may go on to list problems.
    #[serde(default = "default_none_statement_max_chars")]
    pub none_statement_max_chars: usize,
    /// Markers of problems listed inline (一是…；二是…): a paragraph that
    /// starts with the first and holds the second is split at each.
    #[serde(default = "default_inline_markers")]
    pub inline_markers: Vec<String>,
    /// A second series of such markers, numbered (1、…；2、…), tried where
    /// the first splits nothing.
    #[serde(default = "default_inline_numbered_markers")]
    pub inline_numbered_markers: Vec<String>,
    /// A paragraph that starts with one of these (附件：…) ends the problems,
    /// as does a paragraph that is a date alone (the signature's) and the
    /// short unpunctuated line right before it (the signer).
    #[serde(default = "default_closing_starts")]
    pub closing_starts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MoneyItem {
    #[serde(default)]
    pub actual: Option<String>,
    #[serde(default)]
    pub budget: Option<String>,
    pub keywords: Vec<String>,
    #[serde(default)]
    pub strict_keywords: Vec<String>,
    /// Keywords read only in a budget (部门预算), and strictly, as
    /// `strict_keywords`: its total (。支出预算9628.22万元) is the year's
    /// initial budget; inside a longer word (政府性基金拨款支出预算0万元) it
    /// names a part.
    #[serde(default)]
    pub budget_document_keywords: Vec<String>,
    pub default: Variant,
    /// Keywords that name only a part of the item (公务用车运行维护费): their
    /// amount is the item's only when no `sibling_part_keywords` part is stated
    /// with a nonzero amount in the same sentence (公务用车购置费 20 万元).
    #[serde(default)]
    pub part_keywords: Vec<String>,
    #[serde(default)]
    pub sibling_part_keywords: Vec<String>,
    /// Word endings right before a keyword that name an item of the
    /// spending (培训经费年初预算 6 万元, 专项资金年初预算): the figure is that
    /// item's, not this field's.
    #[serde(default)]
    pub item_before: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    Actual,
    Budget,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PartsRule {
    pub total: String,
    #[serde(default)]
    pub require_one_of: Vec<String>,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RateRule {
    pub field: String,
    pub keywords: Vec<String>,
    /// Words between the keyword and its percentage that make it another
    /// rate than the year's actual one (控制率目标值为 100%, 评分标准): refused.
    /// (Last year's, a change, a part of the year: `[context]` words, always.)
    #[serde(default)]
    pub gap_trap_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CountRule {
    pub field: String,
    pub keywords: Vec<String>,
    #[serde(default)]
    pub exclude_before: Vec<String>,
    /// Words that, in the count's breakdown (the rest of its sentence, and a
    /// next sentence that starts with 其中), show the count is of people of
    /// another kind too: 现有编制人员205人。其中…在职113人、退休75人 counts
    /// retirees, so it is no number of posts. Such a count is not read.
    #[serde(default)]
    pub exclude_breakdown: Vec<String>,
    /// Words right before the keyword that make the count a sum of what its
    /// sentence listed before (行政编制 15 名，事业编制 10 名，合计编制 25 名):
    /// `exclude_before` is asked of its own clause only, not of the parts.
    #[serde(default)]
    pub total_before: Vec<String>,
    /// Words that name one kind of post (行政编制, 事业编制 …). A count whose
    /// clause names one kind, in a sentence that names another kind too
    /// (行政编制 20 名、事业编制 10 名), counts one kind of several: a part,
    /// not the field's whole; it is refused with a `value_refused` check.
    #[serde(default)]
    pub kind_words: Vec<String>,
    /// Words between the keyword and its count that make it another count
    /// than the one in post now (编制人数目标 30 人): refused. (Last year's, a
    /// change, a sub-item, a part of the year, the start of a change — 由 30
    /// 人减至 28 人: `[context]` words, always.)
    #[serde(default)]
    pub gap_trap_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FunctionClass {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// One row of the gazetteer.
#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub level: RegionLevel,
    pub name: String,
    pub province: String,
    /// Empty for a county directly under a province (济源市).
    pub city: String,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegionLevel {
    Province,
    City,
    County,
}

/// Config plus the gazetteer plus a digest of both (for the manifest and caches).
#[derive(Debug, Clone)]
pub struct Rules {
    pub config: Config,
    pub regions: Vec<Region>,
    pub digest: String,
}

impl Rules {
    /// The bundled defaults.
    pub fn bundled() -> Result<Self, ConfigError> {
        Self::from_parts(DEFAULT_TOML, DEFAULT_REGIONS)
    }

    /// Rules from a TOML file; its `regions_file` (relative to it) or the bundled gazetteer.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let toml_text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let probe: Config = parse_config(&toml_text)?;
        let regions_text = match &probe.regions_file {
            Some(rel) => {
                let p = path.parent().unwrap_or_else(|| Path::new(".")).join(rel);
                std::fs::read_to_string(&p).map_err(|source| ConfigError::Read {
                    path: p.display().to_string(),
                    source,
                })?
            }
            None => DEFAULT_REGIONS.to_string(),
        };
        Self::from_parts(&toml_text, &regions_text)
    }

    pub fn from_parts(toml_text: &str, regions_tsv: &str) -> Result<Self, ConfigError> {
        let mut config = parse_config(toml_text)?;
        normalize_keywords(&mut config);
        validate_config(&config)?;
        let regions = parse_regions(regions_tsv)?;
        let mut h = Sha256::new();
        h.update(toml_text.as_bytes());
        h.update([0u8]);
        h.update(regions_tsv.as_bytes());
        let digest = hex(&h.finalize()[..8]);
        Ok(Rules {
            config,
            regions,
            digest,
        })
    }
}

fn parse_config(text: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))
}

/// Keywords are matched against NFKC text, so they are NFKC'd too.
fn normalize_keywords(c: &mut Config) {
    fn n(v: &mut [String]) {
        for s in v.iter_mut() {
            *s = s.nfkc().collect();
        }
    }
    n(&mut c.department.labels);
    n(&mut c.grade.stated_after);
    for m in &mut c.money {
        n(&mut m.keywords);
        n(&mut m.strict_keywords);
        n(&mut m.budget_document_keywords);
        n(&mut m.part_keywords);
        n(&mut m.sibling_part_keywords);
        n(&mut m.item_before);
    }
    for p in &mut c.parts {
        n(&mut p.keywords);
    }
    for r in &mut c.rates {
        n(&mut r.keywords);
        n(&mut r.gap_trap_words);
    }
    for k in &mut c.counts {
        n(&mut k.keywords);
        n(&mut k.exclude_breakdown);
        n(&mut k.total_before);
        n(&mut k.kind_words);
        n(&mut k.gap_trap_words);
    }
    for f in &mut c.functions {
        n(&mut f.aliases);
    }
    n(&mut c.score.total_keywords);
    n(&mut c.score.total_keywords_strong);
    n(&mut c.score.total_subject_words);
    n(&mut c.score.indicator_score_keywords);
    n(&mut c.score.section_score_words);
    n(&mut c.score.section_keyword_followers);
    n(&mut c.score.section_keyword_leads);
    n(&mut c.score.indicator_name_score_words);
    n(&mut c.unit_tables.declare_words);
    n(&mut c.unit_tables.header_actual_words);
    n(&mut c.unit_tables.header_budget_words);
    n(&mut c.unit_tables.header_initial_budget_words);
    n(&mut c.score.section_max_marks);
    n(&mut c.context.copula_words);
    n(&mut c.context.zero_leads);
    n(&mut c.context.zero_before);
    n(&mut c.context.zero_before_fillers);
    n(&mut c.context.zero_before_ends);
    n(&mut c.context.zero_before_not_after);
    n(&mut c.context.inexact_after_words);
    n(&mut c.context.range_words);
    n(&mut c.score.target_words);
    n(&mut c.score.review_words);
    n(&mut c.grade.denial_words);
    n(&mut c.problems.closing_starts);
    n(&mut c.context.from_words);
    n(&mut c.context.respectively_words);
    n(&mut c.context.inclusive_words);
    n(&mut c.context.own_level_words);
    n(&mut c.score.final_words);
    n(&mut c.context.list_separators);
    n(&mut c.year.label_words);
    n(&mut c.score.table_not_score_words);
    n(&mut c.problems.none_statements);
    n(&mut c.problems.inline_markers);
    n(&mut c.problems.inline_numbered_markers);
    n(&mut c.score.indicator_rule_before_bare);
    n(&mut c.department.title_cut_words);
    n(&mut c.department.title_name_after);
    n(&mut c.normalize.key_value_not_labels);
    n(&mut c.normalize.number_cell_labels);
    n(&mut c.normalize.title_end_words);
}

/// Fields named in the config must be columns the engine knows.
fn validate_config(c: &Config) -> Result<(), ConfigError> {
    use crate::model::Field;
    let check = |name: &str| -> Result<(), ConfigError> {
        Field::from_name(name)
            .map(|_| ())
            .ok_or_else(|| ConfigError::Invalid(format!("unknown field `{name}`")))
    };
    for m in &c.money {
        if m.sibling_part_keywords.iter().any(String::is_empty) || m.item_before.iter().any(String::is_empty) {
            return Err(ConfigError::Invalid(
                "`sibling_part_keywords` or `item_before` of a [[money]] item holds an empty word".into(),
            ));
        }
        if m.actual.is_none() && m.budget.is_none() {
            return Err(ConfigError::Invalid(
                "a [[money]] item needs `actual` or `budget`".into(),
            ));
        }
        for f in m.actual.iter().chain(m.budget.iter()) {
            check(f)?;
        }
    }
    for p in &c.parts {
        check(&p.total)?;
    }
    for r in &c.rates {
        check(&r.field)?;
        if r.gap_trap_words.iter().any(String::is_empty) {
            return Err(ConfigError::Invalid(format!(
                "`gap_trap_words` of the [[rates]] rule for {} holds an empty word",
                r.field
            )));
        }
    }
    for k in &c.counts {
        check(&k.field)?;
        if k.total_before
            .iter()
            .chain(&k.kind_words)
            .chain(&k.gap_trap_words)
            .any(String::is_empty)
        {
            return Err(ConfigError::Invalid(format!(
                "`total_before`, `kind_words` or `gap_trap_words` of the [[counts]] rule for {} holds an empty word",
                k.field
            )));
        }
    }
    for s in &c.score.sections {
        check(&s.id)?;
    }
    if c.grades.is_empty() {
        return Err(ConfigError::Invalid("no [[grades]] bands".into()));
    }
    // An empty word would match everywhere.
    for (key, list) in [
        ("context.copula_words", &c.context.copula_words),
        ("context.zero_leads", &c.context.zero_leads),
        ("context.zero_before", &c.context.zero_before),
        ("context.zero_before_fillers", &c.context.zero_before_fillers),
        ("context.zero_before_ends", &c.context.zero_before_ends),
        ("context.zero_before_not_after", &c.context.zero_before_not_after),
        ("context.inexact_after_words", &c.context.inexact_after_words),
        ("context.range_words", &c.context.range_words),
        ("score.target_words", &c.score.target_words),
        ("score.review_words", &c.score.review_words),
        ("grade.denial_words", &c.grade.denial_words),
        ("problems.closing_starts", &c.problems.closing_starts),
        ("context.from_words", &c.context.from_words),
        ("normalize.title_end_words", &c.normalize.title_end_words),
        ("context.respectively_words", &c.context.respectively_words),
        ("context.inclusive_words", &c.context.inclusive_words),
        ("context.own_level_words", &c.context.own_level_words),
        ("score.final_words", &c.score.final_words),
        ("context.list_separators", &c.context.list_separators),
        ("year.label_words", &c.year.label_words),
        ("problems.none_statements", &c.problems.none_statements),
        ("problems.inline_markers", &c.problems.inline_markers),
        ("problems.inline_numbered_markers", &c.problems.inline_numbered_markers),
        ("score.indicator_rule_before_bare", &c.score.indicator_rule_before_bare),
        ("score.section_score_words", &c.score.section_score_words),
        ("score.section_keyword_followers", &c.score.section_keyword_followers),
        ("score.section_keyword_leads", &c.score.section_keyword_leads),
        ("score.indicator_name_score_words", &c.score.indicator_name_score_words),
        ("unit_tables.declare_words", &c.unit_tables.declare_words),
        ("unit_tables.header_actual_words", &c.unit_tables.header_actual_words),
        ("unit_tables.header_budget_words", &c.unit_tables.header_budget_words),
        (
            "unit_tables.header_initial_budget_words",
            &c.unit_tables.header_initial_budget_words,
        ),
        ("score.section_max_marks", &c.score.section_max_marks),
        ("score.table_indicator_words", &c.score.table_indicator_words),
        ("score.table_score_words", &c.score.table_score_words),
        ("score.table_not_score_words", &c.score.table_not_score_words),
        ("score.table_max_words", &c.score.table_max_words),
        ("score.table_not_name_words", &c.score.table_not_name_words),
        ("score.table_total_words", &c.score.table_total_words),
        ("score.indicator_introducer_marks", &c.score.indicator_introducer_marks),
        ("score.max_deduction_words", &c.score.max_deduction_words),
        ("score.band_after", &c.score.band_after),
        ("score.total_other_subject_words", &c.score.total_other_subject_words),
        ("department.title_cut_words", &c.department.title_cut_words),
        ("department.title_name_after", &c.department.title_name_after),
        ("normalize.number_cell_labels", &c.normalize.number_cell_labels),
    ] {
        if list.iter().any(String::is_empty) {
            return Err(ConfigError::Invalid(format!("`{key}` holds an empty word")));
        }
    }
    for re in c.score.indicator_inline.iter().chain(&c.score.indicator_introducers) {
        let r = regex::Regex::new(re).map_err(|e| ConfigError::Invalid(format!("indicator pattern `{re}`: {e}")))?;
        if !r.capture_names().flatten().any(|n| n == "name") {
            return Err(ConfigError::Invalid(format!(
                "indicator pattern `{re}` has no (?P<name>…) group"
            )));
        }
    }
    for re in &c.normalize.drop_lines {
        regex::Regex::new(re).map_err(|e| ConfigError::Invalid(format!("drop_lines `{re}`: {e}")))?;
    }
    Ok(())
}

fn parse_regions(tsv: &str) -> Result<Vec<Region>, ConfigError> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let get = |k: usize| cols.get(k).copied().unwrap_or("");
        let level = match get(1) {
            "province" => RegionLevel::Province,
            "city" => RegionLevel::City,
            "county" => RegionLevel::County,
            other => {
                return Err(ConfigError::Invalid(format!(
                    "regions line {}: unknown level `{other}`",
                    i + 1
                )))
            }
        };
        let code = get(0).to_string();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::Invalid(format!(
                "regions line {}: code `{code}` is not 6 digits",
                i + 1
            )));
        }
        out.push(Region {
            code,
            level,
            name: get(2).to_string(),
            province: get(3).to_string(),
            city: get(4).to_string(),
            aliases: get(5)
                .split('|')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    if out.is_empty() {
        return Err(ConfigError::Invalid("the region gazetteer is empty".into()));
    }
    Ok(out)
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_load() {
        let r = Rules::bundled().expect("bundled config must parse");
        assert!(r.regions.len() > 3000, "gazetteer has {} rows", r.regions.len());
        assert_eq!(r.digest.len(), 16);
    }

    #[test]
    fn unknown_field_is_rejected() {
        let bad = DEFAULT_TOML.replace("actual = \"revenue_total\"", "actual = \"revenue_totl\"");
        let err = Rules::from_parts(&bad, DEFAULT_REGIONS).unwrap_err();
        assert!(err.to_string().contains("revenue_totl"), "{err}");
    }

    #[test]
    fn keywords_are_nfkc() {
        let r = Rules::bundled().unwrap();
        let outbound = r
            .config
            .money
            .iter()
            .find(|m| m.actual.as_deref() == Some("outbound_travel_actual"))
            .unwrap();
        assert!(outbound.keywords.iter().any(|k| k == "因公出国(境)费"));
    }

    /// The keys added after the first release: a copy of an older default
    /// config (without them) reads exactly as the bundled one.
    #[test]
    fn an_older_config_without_the_newer_keys_reads_the_same() {
        let keys = [
            "key_value_not_labels",
            "zero_leads",
            "copula_words",
            "section_score_words",
            "section_keyword_followers",
            "section_max_marks",
            "table_indicator_words",
            "table_score_words",
            "table_not_score_words",
            "table_max_words",
            "table_not_name_words",
            "table_total_words",
            "title_cut_words",
            "title_name_after",
            "number_cell_labels",
            "indicator_name_score_words",
            "declare_words",
            "header_actual_words",
            "header_budget_words",
            "header_initial_budget_words",
            "zero_before",
            "zero_before_fillers",
            "zero_before_ends",
            "zero_before_not_after",
            "inexact_after_words",
            "range_words",
            "target_words",
            "review_words",
            "denial_words",
            "closing_starts",
            "from_words",
            "respectively_words",
            "inclusive_words",
            "own_level_words",
            "final_words",
            "title_end_words",
            "list_separators",
            "label_words",
            "none_statements",
            "none_statement_max_chars",
            "inline_markers",
            "inline_numbered_markers",
            "indicator_rule_before_bare",
            "section_keyword_leads",
            "scheme_min_sections",
        ];
        let older: String = DEFAULT_TOML
            .lines()
            .filter(|l| !keys.iter().any(|k| l.starts_with(&format!("{k} ="))))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            older.lines().count() + keys.len(),
            DEFAULT_TOML.lines().count(),
            "each key once, on one line"
        );
        let (old, new) = (
            Rules::from_parts(&older, DEFAULT_REGIONS).unwrap().config,
            Rules::bundled().unwrap().config,
        );
        assert_eq!(old.normalize.key_value_not_labels, new.normalize.key_value_not_labels);
        assert_eq!(old.context.zero_leads, new.context.zero_leads);
        assert_eq!(old.context.zero_before, new.context.zero_before);
        assert_eq!(old.context.zero_before_fillers, new.context.zero_before_fillers);
        assert_eq!(old.context.zero_before_ends, new.context.zero_before_ends);
        assert_eq!(old.context.zero_before_not_after, new.context.zero_before_not_after);
        assert_eq!(old.context.copula_words, new.context.copula_words);
        assert_eq!(old.context.inexact_after_words, new.context.inexact_after_words);
        assert_eq!(old.context.range_words, new.context.range_words);
        assert_eq!(old.score.target_words, new.score.target_words);
        assert_eq!(old.score.review_words, new.score.review_words);
        assert_eq!(old.grade.denial_words, new.grade.denial_words);
        assert_eq!(old.problems.closing_starts, new.problems.closing_starts);
        assert_eq!(old.context.from_words, new.context.from_words);
        assert_eq!(old.context.respectively_words, new.context.respectively_words);
        assert_eq!(old.context.inclusive_words, new.context.inclusive_words);
        assert_eq!(old.context.own_level_words, new.context.own_level_words);
        assert_eq!(old.score.final_words, new.score.final_words);
        assert_eq!(
            old.problems.inline_numbered_markers,
            new.problems.inline_numbered_markers
        );
        assert_eq!(old.normalize.title_end_words, new.normalize.title_end_words);
        assert_eq!(old.context.list_separators, new.context.list_separators);
        assert_eq!(old.year.label_words, new.year.label_words);
        assert_eq!(old.problems.none_statements, new.problems.none_statements);
        assert_eq!(
            old.problems.none_statement_max_chars,
            new.problems.none_statement_max_chars
        );
        assert_eq!(old.problems.inline_markers, new.problems.inline_markers);
        assert_eq!(
            old.score.indicator_rule_before_bare,
            new.score.indicator_rule_before_bare
        );
        assert_eq!(old.score.section_score_words, new.score.section_score_words);
        assert_eq!(old.score.section_keyword_followers, new.score.section_keyword_followers);
        assert_eq!(old.score.section_keyword_leads, new.score.section_keyword_leads);
        assert_eq!(old.score.scheme_min_sections, new.score.scheme_min_sections);
        assert_eq!(old.score.section_max_marks, new.score.section_max_marks);
        assert_eq!(old.score.table_indicator_words, new.score.table_indicator_words);
        assert_eq!(old.score.table_score_words, new.score.table_score_words);
        assert_eq!(old.score.table_not_score_words, new.score.table_not_score_words);
        assert_eq!(old.score.table_max_words, new.score.table_max_words);
        assert_eq!(old.score.table_not_name_words, new.score.table_not_name_words);
        assert_eq!(old.score.table_total_words, new.score.table_total_words);
        assert_eq!(old.department.title_cut_words, new.department.title_cut_words);
        assert_eq!(old.department.title_name_after, new.department.title_name_after);
        assert_eq!(old.normalize.number_cell_labels, new.normalize.number_cell_labels);
        assert_eq!(
            old.score.indicator_name_score_words,
            new.score.indicator_name_score_words
        );
        let tables = |c: &Config| {
            let t = &c.unit_tables;
            [
                t.declare_words.clone(),
                t.header_actual_words.clone(),
                t.header_budget_words.clone(),
                t.header_initial_budget_words.clone(),
            ]
        };
        assert_eq!(tables(&old), tables(&new));
    }

    #[test]
    fn an_empty_word_is_refused_and_full_width_words_are_nfkc() {
        let bad = DEFAULT_TOML.replace(r#"copula_words = ["为", ":", "是"]"#, r#"copula_words = ["为", ""]"#);
        let err = Rules::from_parts(&bad, DEFAULT_REGIONS).unwrap_err();
        assert!(err.to_string().contains("context.copula_words"), "{err}");
        let wide = DEFAULT_TOML.replace(
            r#"section_max_marks = ["分)", "总分"]"#,
            r#"section_max_marks = ["分）"]"#,
        );
        let r = Rules::from_parts(&wide, DEFAULT_REGIONS).unwrap();
        assert_eq!(r.config.score.section_max_marks, ["分)"]);
    }
}
