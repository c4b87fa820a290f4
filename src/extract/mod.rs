//! Stage 3: clean text → facts with provenance.
//!
//! A small set of general mechanisms, driven by `config/`:
//! keyword + amount within one clause (with budget/actual qualifiers, change
//! and previous-year traps, `其中` parts and negations), ratio formulas
//! (`=实际支出/预算安排=a/b`), section scoping by heading, and derivations
//! (sums of stated parts, ratios, grade bands) that are marked as derived.
//! Where candidates disagree the field stays null and a check says why.

mod amount;
mod backward;
mod document;
mod fields;
mod region;
mod scores;
mod unit_table;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

pub use amount::{scan as scan_numbers, Number, Unit, UnitTable};
pub use region::{strip_any_prefix, RegionMatch, RegionMatcher};
pub use scores::top_level;

use crate::config::Rules;
use crate::model::{Check, Fact, Field, Provenance, ReportFacts, Severity, Value};
use crate::normalize::CleanText;

/// Compiled rules; built once per run and shared by every worker thread.
pub struct Extractor {
    pub(crate) rules: Rules,
    pub(crate) lexicon: Lexicon,
    pub(crate) units: UnitTable,
    pub(crate) fields: fields::FieldMatcher,
    pub(crate) scores: scores::ScoreMatcher,
    pub(crate) region: RegionMatcher,
    pub(crate) document: document::DocumentMatcher,
}

impl Extractor {
    pub fn new(rules: &Rules) -> Result<Self, aho_corasick::BuildError> {
        Ok(Extractor {
            units: UnitTable::new(&rules.config.units),
            fields: fields::FieldMatcher::new(&rules.config)?,
            scores: scores::ScoreMatcher::new(&rules.config)?,
            region: RegionMatcher::new(&rules.regions, &rules.config.department)?,
            document: document::DocumentMatcher::new(&rules.config)?,
            lexicon: Lexicon::new(&rules.config, &rules.regions)?,
            rules: rules.clone(),
        })
    }

    /// All facts of one report.
    pub fn extract(&self, clean: &CleanText) -> ReportFacts {
        self.extract_with(clean, Vec::new(), &[])
    }

    /// All facts of one report, plus what its reader already found in its
    /// scoring tables (a workbook's sheets, a Word document's tables): their
    /// indicators, and their total rows as candidates for the total score.
    pub fn extract_with(
        &self,
        clean: &CleanText,
        table_indicators: Vec<crate::model::Indicator>,
        table_totals: &[crate::model::TableTotal],
    ) -> ReportFacts {
        let mut doc = Doc::new(clean, &self.units, &self.lexicon);
        let title_kind = self.document.title_kind(&doc, &self.rules.config);
        doc.budget_document = title_kind.is_some_and(|k| k.amounts_are_budgets);
        doc.scheme = self.scores.scheme_of(&doc, &self.rules.config);
        let mut cands = Candidates::default();
        let mut out = ReportFacts::default();

        let year = self.document.fiscal_year(&doc, &self.rules.config);
        if let Some(y) = &year {
            cands.push(y.clone());
        }
        let fiscal_year = year.as_ref().and_then(|c| c.value.as_f64()).map(|v| v as i32);
        let regions = self.region.text_regions(doc.text);
        let department = self
            .document
            .department(&doc, &self.region, &regions, &self.rules.config);
        if let Some(d) = &department {
            cands.push(d.clone());
        }
        if let Some(k) = title_kind.filter(|k| k.identity_only) {
            // A project's report: its figures are the project's, not the department's.
            out.checks.push(Check {
                check: "not_a_department_report".into(),
                severity: Severity::Info,
                message: format!("{}：金额、得分、人数与问题属于项目而非部门整体，未读取", k.kind),
                fields: NOT_READ_FOR_A_PROJECT.iter().map(|f| f.name().to_string()).collect(),
                values: vec![],
            });
        } else {
            self.fields
                .extract(&doc, &self.rules.config, fiscal_year, &mut cands, &mut out);
            unit_table::candidates(&doc, &self.rules.config, fiscal_year, &mut cands);
            self.scores.extract(&doc, &self.rules.config, &mut cands, &mut out);
            for t in table_totals {
                scores::table_total(&doc, &self.rules.config, t, &mut cands);
            }
            out.problems = self.document.problems(&doc, &self.rules.config);
            for i in table_indicators {
                add_indicator_once(&mut out.indicators, i);
            }
        }

        cands.resolve(&doc, &mut out);

        // Region from the department's name, else from the text.
        // (In its normalised, simplified form: the gazetteer is simplified.)
        let dept_name = out.fact(Field::Department).map(|f| {
            let p = &f.provenance;
            let (s, e) = (
                clean.byte_of_char(p.char_start.max(0) as usize),
                clean.byte_of_char(p.char_end.max(0) as usize),
            );
            clean.text.get(s..e).unwrap_or_default().to_string()
        });
        if let Some(m) = self.region.resolve(dept_name.as_deref(), doc.text, &regions) {
            region::push_region_facts(&m, &doc, &mut out);
        } else {
            out.checks.push(Check {
                check: "missing_region".into(),
                severity: Severity::Warning,
                message: "未能从部门名称或正文确定所属行政区划".into(),
                fields: vec!["province".into(), "city".into(), "county".into()],
                values: vec![],
            });
        }
        // Without a known title, a scored report is a self-evaluation (the first kind).
        out.document_kind = match title_kind {
            Some(k) => k.kind.clone(),
            None if out.get(Field::ScoreTotal).is_some() => self
                .rules
                .config
                .document_kinds
                .first()
                .map_or_else(String::new, |k| k.kind.clone()),
            None => "其他".into(),
        };
        fields::derive(&self.rules.config, &mut out);
        scores::derive(&self.rules.config, &doc, &mut out);
        out.score_scheme = scores::scheme_in_use(&self.rules.config, &doc, &out);
        out.facts.sort_by_key(|f| Field::from_name(&f.field));
        out
    }
}

/// What an amount that says neither budget nor actual is, by where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unqualified {
    /// A budget figure: in a budget document (部门预算) or under a budget
    /// heading (预算编制).
    Budget,
    /// Unsure: under a heading that may be 预算编制 cut by a line break.
    Unsure,
    /// The keyword's default (else actual).
    Plain,
}

/// Kinds of section that scope extraction (bits of a heading's mask).
#[derive(Debug, Clone, Copy)]
pub(crate) enum SectionKind {
    Finance = 1,
    Budget = 2,
    TotalScore = 4,
    PreviousYear = 8,
    /// 存在问题: asked of a heading's own title only.
    Problems = 16,
    /// A heading cut by a line break ((1)预算编 / 制合理性) whose title with
    /// the next line's first chars would name a budget section: whether its
    /// amounts are budgeted or spent is unsure.
    MaybeBudget = 32,
}

/// A config word list, compiled: does a text hold any of its words?
/// (Asked thousands of times per report of short clauses and titles; one
/// automaton pass is far cheaper than a substring search per word.)
pub(crate) struct WordSet {
    automaton: Option<AhoCorasick>,
    /// The first `words` patterns are the words; the rest are exceptions.
    words: usize,
}

impl WordSet {
    pub fn new(words: &[String]) -> Result<Self, aho_corasick::BuildError> {
        Self::with_exceptions(words, &[])
    }

    /// Words with longer words that hold them and are not them (全州县 holds
    /// 全州): leftmost-longest matching meets the longer word first.
    pub fn with_exceptions(words: &[String], not_words: &[String]) -> Result<Self, aho_corasick::BuildError> {
        let words: Vec<&str> = words.iter().map(String::as_str).filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            return Ok(WordSet {
                automaton: None,
                words: 0,
            });
        }
        let n = words.len();
        let all = words
            .into_iter()
            .chain(not_words.iter().map(String::as_str).filter(|w| !w.is_empty()));
        // (Short haystacks: a prefilter's set-up costs more than it saves.)
        Ok(WordSet {
            automaton: Some(automaton_with(all, Scan::Dense)?),
            words: n,
        })
    }

    /// Where the words in `hay` start, in order (an exception's match is not
    /// a word's).
    pub fn starts_in<'h>(&'h self, hay: &'h str) -> impl Iterator<Item = usize> + 'h {
        self.automaton.iter().flat_map(move |ac| {
            ac.find_iter(hay)
                .filter(|m| m.pattern().as_usize() < self.words)
                .map(|m| m.start())
        })
    }

    /// Where the last of the words in `hay` starts.
    pub fn last_in(&self, hay: &str) -> Option<usize> {
        self.starts_in(hay).last()
    }

    /// Same answer as [`contains_any`] over the list (an exception's match
    /// is not a word's).
    pub fn any_in(&self, hay: &str) -> bool {
        self.automaton.as_ref().is_some_and(|ac| {
            if ac.patterns_len() == self.words {
                ac.is_match(hay)
            } else {
                ac.find_iter(hay).any(|m| m.pattern().as_usize() < self.words)
            }
        })
    }
}

/// The gazetteer's region names (and, `with_short_forms`, their short forms)
/// that hold one of `words` without being it: 全州县 holds 全州, 马村 holds 村.
fn places_holding(words: &[String], regions: &[crate::config::Region], with_short_forms: bool) -> Vec<String> {
    let mut places: Vec<String> = regions
        .iter()
        .flat_map(|r| std::iter::once(&r.name).chain(r.aliases.iter().filter(|_| with_short_forms)))
        .filter(|name| {
            name.chars().count() >= 2
                && words
                    .iter()
                    .any(|w| !w.is_empty() && name.contains(w.as_str()) && *name != w)
        })
        .cloned()
        .collect();
    places.sort();
    places.dedup();
    places
}

/// The section kinds a heading title names, in one pass over the title:
/// every word of every kind's list in one automaton that reports overlapping
/// matches, so a word of one kind never hides a word of another.
/// (Five scans per heading — one per list — were the largest cost of
/// setting up a document.)
pub(crate) struct TitleKinds {
    automaton: Option<AhoCorasick>,
    /// For each pattern: the kinds whose lists hold it.
    masks: Vec<u8>,
}

impl TitleKinds {
    pub fn new(lists: &[(SectionKind, &[String])]) -> Result<Self, aho_corasick::BuildError> {
        let mut words: Vec<&str> = Vec::new();
        let mut masks: Vec<u8> = Vec::new();
        for (kind, list) in lists {
            for w in list.iter().map(String::as_str).filter(|w| !w.is_empty()) {
                match words.iter().position(|&x| x == w) {
                    Some(i) => masks[i] |= *kind as u8,
                    None => {
                        words.push(w);
                        masks.push(*kind as u8);
                    }
                }
            }
        }
        if words.is_empty() {
            return Ok(TitleKinds { automaton: None, masks });
        }
        Ok(TitleKinds {
            automaton: Some(automaton_with(words, Scan::Overlapping)?),
            masks,
        })
    }

    /// Where the words of a kind stand in `text`: (start, end) byte offsets.
    pub fn spans<'t>(&'t self, text: &'t str, kind: SectionKind) -> impl Iterator<Item = (usize, usize)> + 't {
        self.automaton.iter().flat_map(move |ac| {
            ac.find_overlapping_iter(text).filter_map(move |hit| {
                let mask = self.masks.get(hit.pattern().as_usize()).copied().unwrap_or(0);
                (mask & kind as u8 != 0).then(|| (hit.start(), hit.end()))
            })
        })
    }

    /// The kinds (bits of [`SectionKind`]) of which `title` holds a word.
    pub fn of(&self, title: &str) -> u8 {
        let Some(ac) = &self.automaton else {
            return 0;
        };
        ac.find_overlapping_iter(title).fold(0, |m, hit| {
            m | self.masks.get(hit.pattern().as_usize()).copied().unwrap_or(0)
        })
    }
}

/// The word lists the extractor tests clauses and titles against.
pub(crate) struct Lexicon {
    pub previous_year: WordSet,
    pub scope: WordSet,
    pub partial_period: WordSet,
    pub change: WordSet,
    pub approximate: WordSet,
    pub sub_item: WordSet,
    pub budget: WordSet,
    pub actual: WordSet,
    pub part: WordSet,
    pub current: WordSet,
    /// Words right after a figure that make it inexact (左右, 以上).
    pub inexact_after: Vec<String>,
    /// Words between the two ends of a range (至, ~).
    pub range: Vec<String>,
    /// Words right before a figure where a change starts (由, 从).
    pub from: Vec<String>,
    /// The words a stated grade follows (`grade.stated_after`).
    pub grade_after: WordSet,
    /// The words that deny a grade (`grade.denial_words`).
    pub grade_denial: WordSet,
    /// Each `[[counts]]` rule's `exclude_before`, place names that hold one
    /// of its words excepted (马村编委 holds no 村: 马村 is 马村区's short form).
    pub count_exclude: Vec<WordSet>,
    /// The section kinds of heading titles (finance, budget, total score,
    /// previous year, problems).
    pub titles: TitleKinds,
}

impl Lexicon {
    /// Whether `s` makes the figure beside it not this year's whole figure:
    /// last year's, a change, an estimate, or a sub-item (a text's gap
    /// between keyword and amount, a table column's header).
    pub fn is_trap(&self, s: &str) -> bool {
        self.names_other_figure(s) || self.approximate.any_in(s)
    }

    /// Whether `s` makes the figure beside it another figure than the
    /// field's: last year's, a change, a sub-item's, or a part of the year's
    /// (全年预算 20 万元，上半年支出 8 万元). An estimate is the field's, only
    /// not exact.
    pub fn names_other_figure(&self, s: &str) -> bool {
        self.change.any_in(s)
            || self.previous_year.any_in(s)
            || self.sub_item.any_in(s)
            || self.partial_period.any_in(s)
            || ends_with_any(s.trim_end(), &self.from)
    }

    fn new(cfg: &crate::config::Config, regions: &[crate::config::Region]) -> Result<Self, aho_corasick::BuildError> {
        let c = &cfg.context;
        Ok(Lexicon {
            previous_year: WordSet::new(&c.previous_year_words)?,
            // 全州县, 天全县, 万全区 are places, not 全州 / 全县 / 全区: region
            // names of the gazetteer that hold a scope word are exceptions.
            scope: WordSet::with_exceptions(&c.scope_words, &places_holding(&c.scope_words, regions, false))?,
            partial_period: WordSet::new(&c.partial_period_words)?,
            change: WordSet::new(&c.change_words)?,
            approximate: WordSet::new(&c.approximate_words)?,
            sub_item: WordSet::new(&c.sub_item_words)?,
            budget: WordSet::new(&c.budget_words)?,
            actual: WordSet::new(&c.actual_words)?,
            part: WordSet::new(&c.part_words)?,
            current: WordSet::new(&c.current_words)?,
            inexact_after: c.inexact_after_words.clone(),
            range: c.range_words.clone(),
            from: c.from_words.clone(),
            grade_after: WordSet::new(&cfg.grade.stated_after)?,
            grade_denial: WordSet::new(&cfg.grade.denial_words)?,
            count_exclude: cfg
                .counts
                .iter()
                .map(|r| WordSet::with_exceptions(&r.exclude_before, &places_holding(&r.exclude_before, regions, true)))
                .collect::<Result<_, _>>()?,
            titles: TitleKinds::new(&[
                (SectionKind::Finance, &cfg.sections.finance),
                (SectionKind::Budget, &cfg.sections.budget),
                (SectionKind::TotalScore, &cfg.sections.total_score),
                (SectionKind::PreviousYear, &c.previous_year_words),
                (SectionKind::Problems, &cfg.sections.problems),
            ])?,
        })
    }
}

/// The core figures a project's report has too, but as the project's: named
/// by its `not_a_department_report` check, so none reads as merely missing.
const NOT_READ_FOR_A_PROJECT: [Field; 3] = [Field::ExpenditureTotal, Field::RevenueTotal, Field::ScoreTotal];

/// Per-file working state: the clean text, its numbers and sentences.
pub(crate) struct Doc<'a> {
    pub clean: &'a CleanText,
    pub lex: &'a Lexicon,
    pub text: &'a str,
    pub numbers: Vec<Number>,
    /// Byte ranges of sentences (split at 。！？ and line ends).
    pub sentences: Vec<(usize, usize)>,
    /// For each heading: the section kinds of it and of every heading above it.
    chain_masks: Vec<u8>,
    /// For each heading: the section kinds its own title names.
    title_masks: Vec<u8>,
    /// A 部门预算: its unqualified amounts are budget figures, not spending.
    pub budget_document: bool,
    /// The scoring scheme the report is scored under (`ScoreMatcher::scheme_of`).
    pub scheme: Option<&'a str>,
}

/// [`SectionKind::MaybeBudget`] for a heading that is a whole paragraph with
/// no closing mark (a line break may have cut it) and whose title, run on
/// into the next paragraph's first chars, names a budget section.
fn maybe_budget(text: &str, h: &crate::normalize::Heading, own: u8, lex: &Lexicon) -> u8 {
    const RUN_ON_CHARS: usize = 12;
    let budget = SectionKind::Budget as u8;
    if own & budget != 0 {
        return 0;
    }
    let para = text.get(h.start..h.para_end).unwrap_or_default();
    if !para.ends_with(|c: char| c.is_alphanumeric()) || !para.ends_with(h.title.as_str()) {
        return 0;
    }
    let next: String = text
        .get(h.para_end..)
        .unwrap_or_default()
        .trim_start_matches('\n')
        .chars()
        .take(RUN_ON_CHARS)
        .take_while(|&c| c != '\n')
        .collect();
    // The budget word must start in the title and run on past its end (预算编
    // / 制情况): one that starts later is the next line's own (部门概况 /
    // 2023年年初预算安排资金…), not a cut title's.
    let run_on = format!("{}{next}", h.title);
    let cut = h.title.len();
    if lex
        .titles
        .spans(&run_on, SectionKind::Budget)
        .any(|(s, e)| s <= cut && e > cut)
    {
        SectionKind::MaybeBudget as u8
    } else {
        0
    }
}

impl<'a> Doc<'a> {
    fn new(clean: &'a CleanText, units: &UnitTable, lex: &'a Lexicon) -> Self {
        let text = clean.text.as_str();
        let title_masks: Vec<u8> = clean
            .headings
            .iter()
            .map(|h| {
                let own = lex.titles.of(&h.title);
                own | maybe_budget(text, h, own, lex)
            })
            .collect();
        // One pass with a stack of open headings: a heading's chain is its own
        // kinds plus those of the nearest heading of a higher level.
        let mut stack: Vec<(u8, u8)> = Vec::new();
        let mut chain_masks = Vec::with_capacity(clean.headings.len());
        for (h, &own) in clean.headings.iter().zip(&title_masks) {
            while stack.last().is_some_and(|&(level, _)| level >= h.level) {
                stack.pop();
            }
            let chain = own | stack.last().map_or(0, |&(_, m)| m);
            stack.push((h.level, chain));
            chain_masks.push(chain);
        }
        Doc {
            clean,
            lex,
            text,
            numbers: amount::scan(text, units),
            sentences: split_sentences(text),
            chain_masks,
            title_masks,
            budget_document: false,
            scheme: None,
        }
    }

    /// How an amount at `pos` that says neither budget nor actual reads
    /// (the text's and a declared-unit table's alike).
    pub fn unqualified_at(&self, pos: usize) -> Unqualified {
        if self.budget_document || self.under(pos, SectionKind::Budget) {
            Unqualified::Budget
        } else if self.under(pos, SectionKind::MaybeBudget) {
            Unqualified::Unsure
        } else {
            Unqualified::Plain
        }
    }

    /// Whether `pos` lies under a heading (at any level) of this kind.
    pub fn under(&self, pos: usize, kind: SectionKind) -> bool {
        let idx = self.clean.headings.partition_point(|h| h.start <= pos);
        idx > 0 && self.chain_masks.get(idx - 1).is_some_and(|m| m & kind as u8 != 0)
    }

    /// Whether heading `i`'s own title names this kind of section.
    pub fn title_is(&self, i: usize, kind: SectionKind) -> bool {
        self.title_masks.get(i).is_some_and(|m| m & kind as u8 != 0)
    }

    /// The years (`YYYY年`, 1990–2099) whose number starts in `[from, to)`.
    pub fn years_in(&self, from: usize, to: usize) -> impl Iterator<Item = i32> + '_ {
        self.numbers_in(from, to)
            .iter()
            .filter(|n| n.unit == Unit::Year && (1990.0..2100.0).contains(&n.value))
            .map(|n| n.value as i32)
    }

    /// Numbers whose start lies in `[from, to)`.
    pub fn numbers_in(&self, from: usize, to: usize) -> &[Number] {
        let a = self.numbers.partition_point(|n| n.start < from);
        let b = self.numbers.partition_point(|n| n.start < to);
        &self.numbers[a..b.max(a)]
    }

    /// Whether a space cuts the figure `n` from digits that go on after it
    /// (2 6 名, 自评得分1 0分): `n` is a fragment, not the figure.
    pub fn cut_by_space(&self, n: &Number) -> bool {
        // (Its point may stand among the spaces: 912. 97, 912 .97, 912 . 97.)
        let rest = self.text.get(n.end..).unwrap_or_default();
        let on = rest.trim_start_matches([' ', '.']);
        let between = rest.get(..rest.len() - on.len()).unwrap_or_default();
        between.contains(' ') && between.matches('.').count() <= 1 && on.starts_with(|c: char| c.is_ascii_digit())
    }

    /// Whether figure `n`, `gap` after its keyword, is inexact: an estimate
    /// or a bound before it (约, 超过, 不足) or after it ([`Doc::inexact_after`]).
    pub fn is_inexact(&self, gap: &str, n: &Number) -> bool {
        self.lex.approximate.any_in(gap) || self.inexact_after(n)
    }

    /// Whether what follows figure `n` makes it inexact: an estimate or a
    /// bound (1200 万元左右, 28 人以上), or the first end of a range
    /// (1200 万元至 1300 万元, 90 分~95 分; the second end is a figure of the
    /// same kind, so 1200 万元至年底 and 1200 万元 -8.3% are no ranges).
    pub fn inexact_after(&self, n: &Number) -> bool {
        let rest = self.text.get(n.end..).unwrap_or_default().trim_start_matches(' ');
        if self.lex.inexact_after.iter().any(|w| rest.starts_with(w.as_str())) {
            return true;
        }
        let Some(next) = self.numbers_in(n.end, self.text.len()).first() else {
            return false;
        };
        let between = self.text.get(n.end..next.start).unwrap_or_default().trim_matches(' ');
        // 1200万元-1300万元: the dash was read as the second figure's sign
        // (with no space: 1200万元 -100万元 may be a table's change column).
        let signed = next.start == n.end && self.text.get(next.start..).is_some_and(|t| t.starts_with('-'));
        let same_kind = match (n.unit, next.unit) {
            (Unit::Money(_), Unit::Money(_)) => true,
            (a, b) => a == b && a != Unit::Bare,
        };
        same_kind && (signed || self.lex.range.iter().any(|w| w == between))
    }

    /// Where the cover and title end: the first heading, else the text's end.
    pub fn cover_end(&self) -> usize {
        self.clean.headings.first().map_or(self.text.len(), |h| h.start)
    }

    pub fn sentence_of(&self, pos: usize) -> (usize, usize) {
        let i = self.sentences.partition_point(|&(s, _)| s <= pos);
        if i == 0 {
            return (0, self.text.len().min(1));
        }
        self.sentences[i - 1]
    }

    /// Start of the clause that holds `pos`: back to the previous `stops` char.
    pub fn clause_start(&self, pos: usize, stops: &[char]) -> usize {
        let (sent_start, _) = self.sentence_of(pos);
        self.text[sent_start..pos]
            .rfind(stops)
            .map(|i| {
                let c = self.text[sent_start + i..].chars().next().map_or(1, char::len_utf8);
                sent_start + i + c
            })
            .unwrap_or(sent_start)
    }

    /// Provenance for a span: the sentence around it, with offsets in chars.
    pub fn provenance(&self, rule: &str, start: usize, end: usize) -> Provenance {
        // Spans come from char boundaries; clamp anyway so a slip is a wider snippet, never a panic.
        let start = floor_boundary(self.text, start);
        let end = ceil_boundary(self.text, end.max(start));
        let (s, e) = self.sentence_of(start);
        let (s, e) = (s.min(start), e.max(end).min(self.text.len()));
        Provenance {
            rule: rule.to_string(),
            snippet: snippet(self.text, s, e, start, end),
            char_start: self.clean.char_index(start) as i64,
            char_end: self.clean.char_index(end) as i64,
            page: self.clean.page(start),
        }
    }
}

pub(crate) fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The sentence around a span, cut to at most ~160 chars centred on it.
fn snippet(text: &str, s: usize, e: usize, start: usize, end: usize) -> String {
    const MAX: usize = 160;
    let sentence = &text[s..e];
    if sentence.chars().count() <= MAX {
        return sentence.trim().to_string();
    }
    let before: Vec<(usize, char)> = text[s..start].char_indices().collect();
    let from = before.len().saturating_sub(60);
    let a = s + before.get(from).map_or(0, |(i, _)| *i);
    let b = text[end..e].char_indices().nth(80).map_or(e, |(i, _)| end + i);
    format!("…{}…", text[a..b].trim())
}

/// Sentences end at 。！？ and line ends; `。=` (a formula after a heading) does not end one.
fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let end_here = match c {
            '\n' => true,
            '。' | '!' | '?' | '！' | '？' => !matches!(it.peek(), Some((_, '='))),
            _ => false,
        };
        if end_here {
            let e = i + c.len_utf8();
            if e > start {
                out.push((start, e));
            }
            start = e;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// A possible value for a field, before conflicts are resolved.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub field: Field,
    pub value: Value,
    /// Higher wins; equal-priority disagreement means null + a check.
    pub priority: i32,
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
}

#[derive(Default)]
pub(crate) struct Candidates {
    list: Vec<Candidate>,
    /// Figures a rule found but would not read, and why: where the field
    /// stays null, a check says so.
    refused: Vec<Refusal>,
}

/// A figure not read: its field, where it stands, and why (a sentence).
pub(crate) struct Refusal {
    pub field: Field,
    pub value: f64,
    pub start: usize,
    pub end: usize,
    pub why: &'static str,
    /// The priority the figure would have had, where it is the field's
    /// reading and only could not be read (2 6 名: a space cut it): a
    /// reading below it is not taken in its place, the field stays null.
    pub blocks: Option<i32>,
}

impl Refusal {
    /// The figure `n` after a keyword at `start` is the field's, but not
    /// exact: an estimate, a bound or a range's end (约 1,234 万元, 30 人以上).
    pub fn inexact(field: Field, start: usize, n: &Number, value: f64) -> Self {
        Refusal {
            field,
            value,
            start,
            end: n.end,
            why: "数字为约数、上下限或区间的一端，不是确数",
            blocks: None,
        }
    }

    /// The figure `n` after a keyword at `start` is another than the year's
    /// own: last year's, a change's, a part's, a target's, or where a change
    /// starts (控制率：上年 95%, 实有人数减少 2 人, 由 30 人减至 28 人).
    pub fn other_figure(field: Field, start: usize, n: &Number, value: f64) -> Self {
        Refusal {
            field,
            value,
            start,
            end: n.end,
            why: "数字前写有上年、增减、其中一部分、目标或变动起点等字样，不是本年的数",
            blocks: None,
        }
    }

    /// The figure `n` after a keyword at `start` is a part of a budget stated
    /// right before its 其中 (年初预算 1,000 万元，其中基本支出 700 万元): the
    /// part's budget, which no field holds; not its spending.
    pub fn budget_part(field: Field, start: usize, n: &Number, value: f64) -> Self {
        Refusal {
            field,
            value,
            start,
            end: n.end,
            why: "“其中”之前的总数是预算数，此数是预算的一部分，不是实际数",
            blocks: None,
        }
    }

    /// The keyword at `start` is one of a list of names that 分别 pairs with
    /// figures, but names and figures do not pair one to one (人员经费、公用
    /// 经费和项目支出分别为 535 万元、50 万元): `n`, the first, is not surely its.
    pub fn unpaired(field: Field, start: usize, n: &Number, value: f64) -> Self {
        Refusal {
            field,
            value,
            start,
            end: n.end,
            why: "句中用“分别”等字样列出的名称与数字个数不一或不能一一对应，无法确定哪个数字属于本项",
            blocks: None,
        }
    }

    /// The count `n` after a keyword at `start` counts one kind of post of
    /// several its sentence lists (行政编制 20 名、事业编制 10 名): a part.
    pub fn one_kind(field: Field, start: usize, n: &Number) -> Self {
        Refusal {
            field,
            value: n.value,
            start,
            end: n.end,
            why: "句中分列多类编制，此数只是其中一类，不是总数",
            blocks: None,
        }
    }

    /// The figure `n` after a keyword at `start` is the field's reading at
    /// `priority`, but a space cut it (2 6 名, 91 2.97万元): not read, and no
    /// reading below it stands in.
    pub fn cut(field: Field, start: usize, n: &Number, priority: i32) -> Self {
        Refusal {
            field,
            value: n.value,
            start,
            end: n.end,
            why: "数字被空格断开，无法确定",
            blocks: Some(priority),
        }
    }
}

impl Candidates {
    pub fn push(&mut self, c: Candidate) {
        self.list.push(c);
    }

    pub fn refuse(&mut self, r: Refusal) {
        self.refused.push(r);
    }

    pub fn has(&self, field: Field) -> bool {
        self.list.iter().any(|c| c.field == field)
    }

    /// Picks one value per field, or none with a `conflict` check.
    fn resolve(mut self, doc: &Doc, out: &mut ReportFacts) {
        self.list.sort_by(|a, b| {
            a.field
                .cmp(&b.field)
                .then(b.priority.cmp(&a.priority))
                .then(a.start.cmp(&b.start))
        });
        let mut i = 0;
        while i < self.list.len() {
            let field = self.list[i].field;
            let j = self.list[i..]
                .iter()
                .position(|c| c.field != field)
                .map_or(self.list.len(), |p| i + p);
            let group = &self.list[i..j];
            let top = group[0].priority;
            // The field's best reading was cut (2 6 名): the one below is not it.
            let blocked = self
                .refused
                .iter()
                .any(|r| r.field == field && r.blocks.is_some_and(|b| b >= top));
            if blocked {
                i = j;
                continue;
            }
            let best: Vec<&Candidate> = group.iter().filter(|c| c.priority == top).collect();
            let mut distinct: Vec<&Value> = Vec::new();
            for c in &best {
                if !distinct.iter().any(|v| same_value(v, &c.value)) {
                    distinct.push(&c.value);
                }
            }
            if distinct.len() == 1 {
                let c = best[0];
                out.facts.push(Fact {
                    field: field.name().to_string(),
                    value: c.value.clone(),
                    derived: false,
                    provenance: doc.provenance(c.rule, c.start, c.end),
                });
                let others: Vec<String> = group
                    .iter()
                    .filter(|o| o.priority < top && !same_value(&o.value, &c.value))
                    .map(|o| o.value.render())
                    .collect();
                if !others.is_empty() {
                    out.checks.push(Check {
                        check: "candidate_disagrees".into(),
                        severity: Severity::Warning,
                        message: format!(
                            "{}取值 {}（{}），但正文其他位置写作 {}，请核对",
                            field.label_zh(),
                            c.value.render(),
                            snippet_short(&doc.provenance(c.rule, c.start, c.end).snippet),
                            others.join("、")
                        ),
                        fields: vec![field.name().into()],
                        values: std::iter::once(c.value.render()).chain(others).collect(),
                    });
                }
            } else {
                let values: Vec<String> = distinct.iter().map(|v| v.render()).collect();
                out.checks.push(Check {
                    check: "conflict".into(),
                    severity: Severity::Warning,
                    message: format!(
                        "{}有多个互相矛盾的取值（{}），无法确定，置空",
                        field.label_zh(),
                        values.join("、")
                    ),
                    fields: vec![field.name().into()],
                    values,
                });
            }
            i = j;
        }
        for r in self.refused {
            if out.get(r.field).is_some()
                || out
                    .checks
                    .iter()
                    .any(|c| c.check == "value_refused" && c.fields.first().is_some_and(|f| f == r.field.name()))
            {
                continue;
            }
            let value = Value::Num(r.value).render();
            out.checks.push(Check {
                check: "value_refused".into(),
                severity: Severity::Info,
                message: format!(
                    "{}未取值：“{}”中的 {value}：{}",
                    r.field.label_zh(),
                    snippet_short(&doc.provenance("", r.start, r.end).snippet),
                    r.why
                ),
                fields: vec![r.field.name().into()],
                values: vec![value],
            });
        }
    }
}

fn snippet_short(s: &str) -> String {
    let t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        format!("{t}…")
    } else {
        t
    }
}

/// Amounts within half a fen (0.005 万元) are the same figure.
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() < 0.005,
            _ => false,
        },
    }
}

/// A derived fact (a sum, a ratio, a band): marked as derived, pointing at its inputs.
pub(crate) fn derived_fact(field: Field, value: Value, rule: &str, note: String) -> Fact {
    Fact {
        field: field.name().to_string(),
        value,
        derived: true,
        provenance: Provenance {
            rule: rule.to_string(),
            snippet: note,
            char_start: -1,
            char_end: -1,
            page: None,
        },
    }
}

/// Adds an indicator unless the same line (name and score) was already found
/// by another reader or rule.
pub(crate) fn add_indicator_once(list: &mut Vec<crate::model::Indicator>, i: crate::model::Indicator) {
    if !list.iter().any(|o| o.indicator == i.indicator && o.score == i.score) {
        list.push(i);
    }
}

/// How a keyword automaton scans (built once per run; leftmost-longest but
/// for `Overlapping`).
#[derive(Clone, Copy)]
pub(crate) enum Scan {
    /// A DFA with the crate's prefilter: the default for whole-text passes.
    Prefiltered,
    /// The DFA alone: for keywords whose leading bytes are everywhere in
    /// Chinese text (部门…) or for short haystacks, where the prefilter's
    /// restarts or set-up cost more than the plain DFA pass.
    Dense,
    /// A contiguous NFA: builds several times faster than a DFA; for large
    /// lists only ever run over short strings.
    Compact,
    /// The DFA alone, reporting every match, overlapping ones included
    /// (`find_overlapping_iter`): for asking which lists a short text touches.
    Overlapping,
}

/// Leftmost-longest automaton over a list of keywords.
pub(crate) fn automaton<I, S>(patterns: I) -> Result<AhoCorasick, aho_corasick::BuildError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    automaton_with(patterns, Scan::Prefiltered)
}

pub(crate) fn automaton_with<I, S>(patterns: I, scan: Scan) -> Result<AhoCorasick, aho_corasick::BuildError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let (kind, prefilter, match_kind) = match scan {
        Scan::Prefiltered => (AhoCorasickKind::DFA, true, MatchKind::LeftmostLongest),
        Scan::Dense => (AhoCorasickKind::DFA, false, MatchKind::LeftmostLongest),
        Scan::Compact => (AhoCorasickKind::ContiguousNFA, true, MatchKind::LeftmostLongest),
        Scan::Overlapping => (AhoCorasickKind::DFA, false, MatchKind::Standard),
    };
    AhoCorasickBuilder::new()
        .match_kind(match_kind)
        .kind(Some(kind))
        .prefilter(prefilter)
        .build(patterns)
}

/// Byte offset `n` chars after `pos` (clamped to the end of `text`).
pub(crate) fn chars_after(text: &str, pos: usize, n: usize) -> usize {
    text.get(pos..)
        .and_then(|t| t.char_indices().nth(n).map(|(i, _)| pos + i))
        .unwrap_or(text.len())
}

/// Byte offset `n` chars before `pos` (clamped to 0).
pub(crate) fn chars_before(text: &str, pos: usize, n: usize) -> usize {
    text.get(..pos)
        .and_then(|t| t.char_indices().rev().nth(n.saturating_sub(1)).map(|(i, _)| i))
        .unwrap_or(0)
}

pub(crate) fn contains_any(hay: &str, words: &[String]) -> bool {
    words.iter().any(|w| !w.is_empty() && hay.contains(w.as_str()))
}

/// A bracketed aside that ends `s` (填报单位(盖章), 预算数(万元)): the text
/// before its opening bracket, and what it holds.
pub(crate) fn trailing_aside(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_suffix(')')?;
    let open = body.rfind('(')?;
    Some((body.get(..open)?, body.get(open + 1..)?))
}

/// Whether `s` starts with one of `words` (the empty word never counts).
pub(crate) fn starts_with_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| !w.is_empty() && s.starts_with(w.as_str()))
}

/// Whether `s` ends with one of `words` (the empty word never counts).
pub(crate) fn ends_with_any(s: &str, words: &[String]) -> bool {
    words.iter().any(|w| !w.is_empty() && s.ends_with(w.as_str()))
}

/// Facts of a text with the bundled rules (unit tests of the extractor).
#[cfg(test)]
pub(crate) fn facts_of(text: &str) -> ReportFacts {
    facts_with(Rules::bundled().expect("bundled rules"), text)
}

/// Facts of a text with the bundled config with one line replaced (`from` → `to`).
#[cfg(test)]
pub(crate) fn facts_with_config_line(from: &str, to: &str, text: &str) -> ReportFacts {
    let toml = crate::config::DEFAULT_TOML;
    assert!(toml.contains(from), "no `{from}` in the bundled config");
    let rules = Rules::from_parts(&toml.replace(from, to), crate::config::DEFAULT_REGIONS).expect("rules");
    facts_with(rules, text)
}

#[cfg(test)]
pub(crate) fn facts_with(rules: Rules, text: &str) -> ReportFacts {
    let clean = crate::normalize::Normalizer::new(&rules.config.normalize)
        .expect("normaliser")
        .normalize(text);
    Extractor::new(&rules).expect("extractor").extract(&clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_after_heading_is_one_sentence() {
        let s = split_sentences("“三公”经费控制率。=12.46/13=95.85%。下一句。");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn word_set_answers_as_contains_any() {
        let words: Vec<String> = ["上年", "同比", ""].iter().map(|s| s.to_string()).collect();
        let set = WordSet::new(&words).unwrap();
        for hay in ["较上年增长", "同比", "本年", "", "上", "上年同比"] {
            assert_eq!(set.any_in(hay), contains_any(hay, &words), "{hay}");
        }
        assert!(!WordSet::new(&[String::new()]).unwrap().any_in("任何"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// One overlapping pass gives, for every kind, what that kind's own
        /// word list gives: nested and overlapping words across kinds included.
        #[test]
        fn title_kinds_agree_with_each_list(picks in proptest::collection::vec(0usize..TITLE_PIECES.len(), 0..12)) {
            let title: String = picks.iter().filter_map(|&i| TITLE_PIECES.get(i).copied()).collect();
            let lists: Vec<(SectionKind, Vec<String>)> = vec![
                (SectionKind::Finance, vec!["财务".into(), "财务管理".into(), "".into()]),
                (SectionKind::Budget, vec!["预算".into(), "管理".into()]),
                (SectionKind::TotalScore, vec!["总分".into(), "自评".into(), "务管".into()]),
                (SectionKind::PreviousYear, vec!["上年".into(), "年度".into()]),
                (SectionKind::Problems, vec!["问题".into(), "存在问题".into(), "预算".into()]),
            ];
            let borrowed: Vec<(SectionKind, &[String])> = lists.iter().map(|(k, l)| (*k, l.as_slice())).collect();
            let kinds = TitleKinds::new(&borrowed).unwrap();
            let want = lists
                .iter()
                .filter(|(_, l)| WordSet::new(l).unwrap().any_in(&title))
                .fold(0u8, |m, (k, _)| m | *k as u8);
            proptest::prop_assert_eq!(kinds.of(&title), want, "{}", title);
        }
    }

    /// Whole words (so that nested and overlapping ones meet often) and single chars.
    const TITLE_PIECES: &[&str] = &[
        "财务管理",
        "财务",
        "管理",
        "预算",
        "总分",
        "自评",
        "上年度",
        "问题",
        "存在问题",
        "财",
        "务",
        "管",
        "理",
        "年",
        "度",
        "、",
    ];

    #[test]
    fn snippet_is_bounded() {
        let long = "字".repeat(500);
        let s = snippet(&long, 0, long.len(), 600, 603);
        assert!(s.chars().count() < 200);
    }
}
