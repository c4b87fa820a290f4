//! Money, rate and head-count fields: keyword + amount within one clause,
//! ratio formulas, parts of a total, and the sums that follow from them.

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::{
    automaton, chars_before, contains_any, derived_fact, ends_with_any, Candidate, Candidates, Doc, Refusal,
    SectionKind, Unqualified,
};
use crate::config::{Config, Variant};
use crate::extract::amount::{Number, Unit};
use crate::model::{Check, Field, FunctionSpending, ReportFacts, Severity, Value};

/// What a keyword stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Money { item: usize, reading: Reading },
    Part { rule: usize },
    Rate { rule: usize },
    Count { rule: usize },
    Function { class: usize },
}

/// How a money keyword finds its amount.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    /// Anywhere in its clause (`keywords`).
    Plain,
    /// Standing alone, the amount right after (收入：651.17 万元; `strict_keywords`).
    Strict,
    /// As `Strict`, and only in a budget (。支出预算9628.22万元; `budget_document_keywords`).
    BudgetTotal,
}

impl Reading {
    fn strict(self) -> bool {
        self != Reading::Plain
    }

    /// Whether the keyword is read at all in this document.
    fn read_in(self, budget_document: bool) -> bool {
        self != Reading::BudgetTotal || budget_document
    }

    fn rule(self) -> &'static str {
        match self {
            Reading::Plain => "money:keyword",
            Reading::Strict => "money:keyword-strict",
            Reading::BudgetTotal => "money:budget-document",
        }
    }
}

/// One keyword occurrence in the text.
#[derive(Debug, Clone)]
struct Hit {
    start: usize,
    end: usize,
    kinds: Vec<Kind>,
}

pub(crate) struct FieldMatcher {
    ac: AhoCorasick,
    kinds: Vec<Vec<Kind>>,
    fraction: Regex,
}

impl FieldMatcher {
    pub fn new(cfg: &Config) -> Result<Self, aho_corasick::BuildError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut kinds: Vec<Vec<Kind>> = Vec::new();
        let mut add = |p: &str, k: Kind| {
            if p.is_empty() {
                return;
            }
            if let Some(i) = patterns.iter().position(|q| q == p) {
                if !kinds[i].contains(&k) {
                    kinds[i].push(k);
                }
            } else {
                patterns.push(p.to_string());
                kinds.push(vec![k]);
            }
        };
        for (item, m) in cfg.money.iter().enumerate() {
            for (words, reading) in [
                (&m.keywords, Reading::Plain),
                (&m.strict_keywords, Reading::Strict),
                (&m.budget_document_keywords, Reading::BudgetTotal),
            ] {
                for k in words {
                    add(k, Kind::Money { item, reading });
                }
            }
        }
        for (rule, p) in cfg.parts.iter().enumerate() {
            for k in &p.keywords {
                add(k, Kind::Part { rule });
            }
        }
        for (rule, r) in cfg.rates.iter().enumerate() {
            for k in &r.keywords {
                add(k, Kind::Rate { rule });
            }
        }
        for (rule, c) in cfg.counts.iter().enumerate() {
            for k in &c.keywords {
                add(k, Kind::Count { rule });
            }
        }
        for (class, f) in cfg.functions.iter().enumerate() {
            add(&f.name, Kind::Function { class });
            for a in &f.aliases {
                add(a, Kind::Function { class });
            }
        }
        let fraction =
            Regex::new(r"=\s*([^=,;。/]{2,40}?)\s*/\s*([^=,;。/]{2,40}?)\s*=\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")
                .unwrap_or_else(|_| unreachable!("fixed pattern"));
        Ok(FieldMatcher {
            ac: automaton(&patterns)?,
            kinds,
            fraction,
        })
    }

    /// Keyword occurrences; a strict keyword (支出) inside a longer word
    /// (…维护费支出) is no keyword at all and must not cut a neighbour's window.
    fn hits(&self, text: &str, comparison_words: &[String]) -> Vec<Hit> {
        let mut prev_end = usize::MAX;
        self.ac
            .find_iter(text)
            .filter_map(|m| {
                // A keyword right after another qualifies it (“三公”经费年初预算):
                // it is not a new subject and must not end the first one's window.
                let adjacent = text.get(prev_end..m.start()).is_some_and(|g| g.trim().is_empty());
                prev_end = m.end();
                // …较年初预算 25 万元: the object of a comparison, not a subject either.
                let before = &text[super::chars_before(text, m.start(), 2)..m.start()];
                let compared = comparison_words
                    .iter()
                    .any(|w| !w.is_empty() && before.ends_with(w.as_str()));
                if adjacent || compared {
                    return None;
                }
                let mut kinds = self.kinds.get(m.pattern().as_usize()).cloned().unwrap_or_default();
                let inside_word = text[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(crate::normalize::is_cjk);
                if inside_word {
                    kinds.retain(|k| !matches!(k, Kind::Money { reading, .. } if reading.strict()));
                }
                (!kinds.is_empty()).then_some(Hit {
                    start: m.start(),
                    end: m.end(),
                    kinds,
                })
            })
            .collect()
    }

    pub fn extract(
        &self,
        doc: &Doc,
        cfg: &Config,
        fiscal_year: Option<i32>,
        cands: &mut Candidates,
        out: &mut ReportFacts,
    ) {
        let hits = self.hits(doc.text, &cfg.context.comparison_words);
        let ctx = Context { doc, cfg, fiscal_year };
        let mut parts: Vec<(usize, usize, f64, usize, usize)> = Vec::new();
        for (i, hit) in hits.iter().enumerate() {
            let (_, sent_end) = doc.sentence_of(hit.start);
            let next_hit = hits.get(i + 1).map_or(sent_end, |h| h.start.min(sent_end));
            for kind in &hit.kinds {
                match *kind {
                    Kind::Money { item, reading } => {
                        if reading.read_in(doc.budget_document) {
                            ctx.money(hit, item, reading, next_hit, cands);
                        }
                    }
                    Kind::Part { rule } => {
                        if let Some(n) = ctx.single_amount(hit, next_hit, false) {
                            if let Some(v) = n.wan() {
                                parts.push((rule, hit.start, v, hit.start, n.end));
                            }
                        }
                    }
                    Kind::Rate { rule } => ctx.rate(hit, rule, sent_end, cands),
                    Kind::Count { rule } => ctx.count(hit, rule, next_hit, cands),
                    Kind::Function { class } => {
                        if let Some(f) = ctx.function(hit, class, next_hit) {
                            out.functions.push(f);
                        }
                    }
                }
            }
        }
        self.fractions(&ctx, &hits, cands);
        sum_parts(&ctx, &parts, cands, out);
        dedupe_functions(out);
    }

    /// `=实际支出的公用经费总额/预算安排的公用经费总额=102.47/103.08`:
    /// each side's description names the field and says budget or actual.
    fn fractions(&self, ctx: &Context, hits: &[Hit], cands: &mut Candidates) {
        for caps in self.fraction.captures_iter(ctx.doc.text) {
            let (Some(d1), Some(d2), Some(n1), Some(n2)) = (caps.get(1), caps.get(2), caps.get(3), caps.get(4)) else {
                continue;
            };
            for (desc, num) in [(d1, n1), (d2, n2)] {
                // 12.46/1 3: digits a space away may be this number's rest.
                if crate::extract::amount::spaced_from_digits(ctx.doc.text, num.start(), num.end()) {
                    continue;
                }
                let Ok(v) = num.as_str().parse::<f64>() else { continue };
                let Some(hit) = hits.iter().find(|h| h.start >= desc.start() && h.end <= desc.end()) else {
                    continue;
                };
                let qualifier = ctx.variant_of(desc.as_str());
                for kind in &hit.kinds {
                    match *kind {
                        Kind::Money { item, reading } => {
                            if !reading.read_in(ctx.doc.budget_document) {
                                continue;
                            }
                            let Some(m) = ctx.cfg.money.get(item) else { continue };
                            let field = match qualifier.unwrap_or(m.default) {
                                Variant::Actual => m.actual.as_deref(),
                                Variant::Budget => m.budget.as_deref(),
                            };
                            if let (Some(f), Some(unit)) = (field.and_then(Field::from_name), ctx.doc_money_unit()) {
                                cands.push(Candidate {
                                    field: f,
                                    value: Value::Num(v * unit),
                                    priority: 0,
                                    rule: "money:fraction",
                                    start: num.start(),
                                    end: num.end(),
                                });
                            }
                        }
                        Kind::Count { rule } => {
                            if let Some(f) = ctx.cfg.counts.get(rule).and_then(|c| Field::from_name(&c.field)) {
                                if v.fract() == 0.0 && v > 0.0 && v < 100_000.0 {
                                    cands.push(Candidate {
                                        field: f,
                                        value: Value::Int(v as i64),
                                        priority: 0,
                                        rule: "count:fraction",
                                        start: num.start(),
                                        end: num.end(),
                                    });
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

struct Context<'a, 'd> {
    doc: &'a Doc<'d>,
    cfg: &'a Config,
    fiscal_year: Option<i32>,
}

const CLAUSE_STOPS: [char; 6] = [',', ';', '。', ':', '、', '\n'];
const SEGMENT_STOPS: [char; 3] = [';', '。', '\n'];

/// How a keyword stands to a list of names that 分别 pairs, in order, with
/// the figures after it (基本支出和项目支出分别为 700 万元、500 万元).
enum Respectively {
    /// It is in no such list.
    No,
    /// It is: its figures, each with the span of its list item's words (the
    /// keyword's own item, then items that only say 预算 or 决算: “三公”经费
    /// 预算和决算分别为 6 万元、4.5 万元 gives 6 to 预算 and 4.5 to 决算).
    Paired(Vec<(Number, usize, usize)>),
    /// It is, but its names and figures do not pair one to one: the first
    /// figure, for the check that says so.
    Unpaired(Option<Number>),
}

/// Refuses the first figure of a 分别 list that pairs nothing one to one,
/// where `value_of` reads it as the field's kind of figure.
fn refuse_unpaired(
    field: Field,
    start: usize,
    first: Option<Number>,
    value_of: impl Fn(&Number) -> Option<f64>,
    cands: &mut Candidates,
) {
    if let Some((n, v)) = first.and_then(|n| value_of(&n).map(|v| (n, v))) {
        cands.refuse(Refusal::unpaired(field, start, &n, v));
    }
}

/// Where the `separators` stand in `s`: at each place the longest (以及, not 及).
fn separator_spans(s: &str, separators: &[String]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let at = s.len() - rest.len();
        let longest = separators
            .iter()
            .filter(|w| rest.starts_with(w.as_str()))
            .map(String::len)
            .max();
        let step = longest.unwrap_or(c.len_utf8());
        if longest.is_some() {
            spans.push((at, at + step));
        }
        rest = rest.get(step..).unwrap_or_default();
    }
    spans
}

impl Context<'_, '_> {
    fn variant_of(&self, s: &str) -> Option<Variant> {
        if self.doc.lex.budget.any_in(s) {
            Some(Variant::Budget)
        } else if self.doc.lex.actual.any_in(s) {
            Some(Variant::Actual)
        } else {
            None
        }
    }

    /// A part keyword (公务用车运行维护费) whose sentence also states a sibling
    /// part (公务用车购置费) with a nonzero amount: its figure is not the item's.
    fn names_only_a_part(&self, hit: &Hit, m: &crate::config::MoneyItem) -> bool {
        let keyword = &self.doc.text[hit.start..hit.end];
        if !m.part_keywords.iter().any(|k| k == keyword) {
            return false;
        }
        let (s, e) = self.doc.sentence_of(hit.start);
        let sentence = &self.doc.text[s..e];
        m.sibling_part_keywords.iter().any(|k| {
            sentence.match_indices(k.as_str()).any(|(i, _)| {
                let after = s + i + k.len();
                self.doc.numbers_in(after, e).first().is_some_and(|n| {
                    n.wan().is_some_and(|v| v > 0.0) && self.doc.text[after..n.start].chars().count() <= 3
                })
            })
        })
    }

    /// A gap that turns the amount into something else (a change, last year's, an estimate).
    fn gap_is_trap(&self, gap: &str) -> bool {
        self.doc.lex.is_trap(gap)
    }

    /// The clause before the keyword speaks of another year, last year, or the whole region.
    fn prefix_is_foreign(&self, hit_start: usize) -> bool {
        let lex = self.doc.lex;
        let clause = &self.doc.text[self.doc.clause_start(hit_start, &CLAUSE_STOPS)..hit_start];
        // 本部门（含下属单位）收入合计: a scope word the figure includes is no
        // other's scope.
        let inclusive = &self.cfg.context.inclusive_words;
        // (Most clauses hold no scope word: one is_match pass says so.)
        let foreign_scope = lex.scope.any_in(clause)
            && lex.scope.starts_in(clause).any(|at| {
                let before = clause.get(..at).unwrap_or_default().trim_end_matches(['(', ' ']);
                !ends_with_any(before, inclusive)
            });
        if lex.previous_year.any_in(clause) || foreign_scope {
            return true;
        }
        // 截至 6 月底，支出合计 400 万元: a part of the year, said anywhere
        // before the keyword in its sentence.
        let (sentence_start, _) = self.doc.sentence_of(hit_start);
        if lex
            .partial_period
            .any_in(self.doc.text.get(sentence_start..hit_start).unwrap_or_default())
        {
            return true;
        }
        // A section about last year (实际收支与上年占比分析) speaks of both years.
        if self.doc.under(hit_start, SectionKind::PreviousYear) {
            return true;
        }
        self.other_year_in(self.doc.clause_start(hit_start, &CLAUSE_STOPS), hit_start)
    }

    /// A `YYYY年` in the span that is not the evaluated year.
    fn other_year_in(&self, from: usize, to: usize) -> bool {
        let Some(fy) = self.fiscal_year else { return false };
        self.doc.years_in(from, to).any(|y| y != fy)
    }

    /// `其中` before the keyword while the same field already has a value in this sentence.
    fn is_part_of_earlier(&self, hit_start: usize, field: Field, keywords: &[String], cands: &Candidates) -> bool {
        let seg_start = self.doc.clause_start(hit_start, &[',', ';', '。', '\n', '(']);
        let lead = &self.doc.text[chars_before(self.doc.text, seg_start, 2)..hit_start];
        let part = &self.doc.lex.part;
        let lead_has_part = part
            .any_in(&self.doc.text[self.doc.clause_start(hit_start, &[';', '。', '\n'])..hit_start])
            || part.any_in(lead);
        if !lead_has_part {
            return false;
        }
        let (sent_start, _) = self.doc.sentence_of(hit_start);
        // Candidates are pushed in text order: look back only through this sentence.
        let earlier_read = cands
            .list
            .iter()
            .rev()
            .take_while(|c| c.start >= sent_start)
            .any(|c| c.field == field && c.start < hit_start);
        // 收入总计 1,234 .56 万元，其中：本年收入 1,200.00 万元: the whole is named
        // before the part even where its figure was not read; the part is
        // still a part, not the whole.
        earlier_read || {
            let before = self.doc.text.get(sent_start..hit_start).unwrap_or_default();
            keywords.iter().any(|k| before.contains(k.as_str()))
        }
    }

    /// A keyword led by `其中` whose whole, the figure stated in the clause
    /// right before the 其中, is a budget (年初预算 1,000 万元，其中基本支出
    /// 700 万元): the part is a part of the budget, whatever its own words.
    /// Read from the text, not from the candidates, so a whole whose figure
    /// was not read (a space cut it) still names what it is.
    fn part_of_budget(&self, hit_start: usize) -> bool {
        let text = self.doc.text;
        let from = self.doc.clause_start(hit_start, &[';', '。', '\n']);
        let Some(part_at) = self.doc.lex.part.last_in(&text[from..hit_start]) else {
            return false;
        };
        let whole_end = from + text[from..from + part_at].trim_end_matches([',', ':', '(', ' ']).len();
        let stops = [',', ';', '。', '\n'];
        let mut whole_start = self.doc.clause_start(whole_end, &stops);
        // 1,000 万元: a thousands separator ends no clause.
        while text[..whole_start]
            .strip_suffix(',')
            .is_some_and(|b| b.ends_with(|c: char| c.is_ascii_digit()))
            && text[whole_start..].starts_with(|c: char| c.is_ascii_digit())
        {
            whole_start = self.doc.clause_start(whole_start - 1, &stops);
        }
        let whole = &text[whole_start..whole_end];
        let lex = self.doc.lex;
        // 占年初预算的 95%，其中…: a ratio to the budget, not a budget figure.
        let states_money = self
            .doc
            .numbers_in(whole_start, whole_end)
            .iter()
            .any(|n| n.wan().is_some());
        states_money && lex.budget.any_in(whole) && !lex.actual.any_in(whole)
    }

    /// Whether the keyword is one of a list of names that a `respectively`
    /// word pairs with the figures after it, and if so, which are its.
    fn respectively(&self, hit: &Hit) -> Respectively {
        let text = self.doc.text;
        let words = &self.cfg.context;
        let (_, sent_end) = self.doc.sentence_of(hit.start);
        // The names run from the keyword's clause to 分别, with no figure
        // among them (基本支出 700 万元、项目支出 500 万元分别占… pairs nothing):
        // 分别 is looked for only up to the keyword's first figure.
        let first_figure = self
            .doc
            .numbers_in(hit.end, sent_end)
            .iter()
            .find(|n| n.unit != Unit::Year)
            .map_or(sent_end, |n| n.start);
        let before_figure = text.get(hit.end..first_figure).unwrap_or_default();
        let Some((at, word_len)) = words
            .respectively_words
            .iter()
            .filter_map(|w| before_figure.find(w.as_str()).map(|i| (i, w.len())))
            .min_by_key(|&(i, _)| i)
        else {
            return Respectively::No;
        };
        let list_end = hit.end + at;
        if before_figure.get(..at).unwrap_or_default().contains([',', ';', ':']) {
            return Respectively::No;
        }
        let list_start = self.doc.clause_start(hit.start, &[',', ';', '。', ':', '\n']);
        let names = text.get(list_start..list_end).unwrap_or_default();
        let seps = separator_spans(names, &words.list_separators);
        let mut figures: Vec<Number> = Vec::new();
        let mut prev = list_end + word_len;
        for n in self.doc.numbers_in(prev, sent_end) {
            let gap = text.get(prev..n.start).unwrap_or_default().trim();
            let joins = if figures.is_empty() {
                // 分别为：700 万元: copulas one after another are one.
                words.trim_copulas_start(gap).is_empty()
            } else {
                words.list_separators.iter().any(|s| s == gap)
            };
            if !joins {
                break;
            }
            figures.push(*n);
            prev = n.end;
        }
        let unpaired = Respectively::Unpaired(figures.first().copied());
        // 商品和服务支出分别为…: a separator inside the keyword splits no list.
        let (own_from, own_to) = (hit.start - list_start, hit.end - list_start);
        if seps.iter().any(|&(s, e)| s < own_to && e > own_from) || figures.len() != seps.len() + 1 {
            return unpaired;
        }
        // 700、500 万元: a bare figure takes the unit of the list's last.
        let Some(unit) = figures.last().map(|n| n.unit) else {
            return unpaired;
        };
        for n in &mut figures {
            if n.unit == Unit::Bare {
                n.unit = unit;
            } else if n.unit != unit {
                return unpaired;
            }
        }
        let item = |k: usize| {
            let from = if k == 0 { 0 } else { seps.get(k - 1).map_or(0, |s| s.1) };
            let to = seps.get(k).map_or(names.len(), |s| s.0);
            (list_start + from, list_start + to)
        };
        let own = seps.iter().filter(|&&(s, _)| s < own_from).count();
        let (Some(&figure), (_, own_end)) = (figures.get(own), item(own)) else {
            return unpaired;
        };
        let mut paired = vec![(figure, hit.end, own_end)];
        for k in own + 1..figures.len() {
            let (from, to) = item(k);
            let words = text.get(from..to).unwrap_or_default().trim();
            match figures.get(k) {
                Some(&n) if words.chars().count() <= 4 && self.variant_of(words).is_some() => {
                    paired.push((n, from, to))
                }
                _ => break,
            }
        }
        Respectively::Paired(paired)
    }

    /// The keyword's figure where a 分别 list pairs one with it: `Some(None)`
    /// where it stands in no such list, `Some(Some(n))` where the list gives
    /// it `n`, `None` where the list does not pair one to one (its first
    /// figure, as `value_of` reads it, then refused with a check).
    fn listed_figure(
        &self,
        hit: &Hit,
        field: Field,
        value_of: impl Fn(&Number) -> Option<f64>,
        cands: &mut Candidates,
    ) -> Option<Option<Number>> {
        match self.respectively(hit) {
            Respectively::No => Some(None),
            Respectively::Paired(figures) => Some(figures.first().map(|&(n, _, _)| n)),
            Respectively::Unpaired(n) => {
                refuse_unpaired(field, hit.start, n, value_of, cands);
                None
            }
        }
    }

    fn finance_bonus(&self, pos: usize) -> i32 {
        if self.doc.under(pos, SectionKind::Finance) {
            2
        } else {
            0
        }
    }

    /// Strict keywords (收入, 支出) stand alone: after a boundary, before `:`/`为` and the amount.
    fn strict_ok(&self, hit: &Hit, gap: &str) -> bool {
        let prev = self.doc.text[..hit.start].chars().next_back();
        let boundary_before = prev.is_none_or(|c| !crate::normalize::is_cjk(c));
        let g = gap.trim();
        boundary_before && self.cfg.context.is_copula(g)
    }

    /// The negation that states a zero right after the keyword (支出无, 为零).
    fn states_zero(&self, hit: &Hit, until: usize) -> bool {
        let after = &self.doc.text[hit.end..until.max(hit.end)];
        let clause_end = after.find(&CLAUSE_STOPS[..]).unwrap_or(after.len());
        let clause = after[..clause_end].trim();
        let is_zero = |rest: &str| {
            let rest = rest.trim();
            self.cfg.context.zero_words.iter().any(|z| {
                rest == z.as_str() || (rest.starts_with(z.as_str()) && rest.chars().count() <= z.chars().count() + 1)
            })
        };
        // Asked before each lead is passed over too: 支出为零 is 为零 once 支出
        // is passed, and would be 零 alone once 为 is.
        let mut rest = clause;
        for lead in &self.cfg.context.zero_leads {
            // (Words are never empty: the config is checked when loaded.)
            while let Some(r) = rest.strip_prefix(lead.as_str()) {
                if is_zero(rest) {
                    return true;
                }
                rest = r;
            }
        }
        is_zero(rest)
    }

    /// A negation right before the keyword that states its zero, the clause
    /// ending after the keyword or its end word (本年度无“三公”经费财政拨款支出，…):
    /// the statement's span. Not in a budget (its amounts are budget figures),
    /// not after 有 (有无“三公”经费支出 asks, it does not state).
    fn states_zero_before(&self, hit: &Hit) -> Option<(usize, usize)> {
        if self.doc.budget_document {
            return None;
        }
        let words = &self.cfg.context;
        let text = self.doc.text;
        let mut start = hit.start;
        while let Some(f) = words
            .zero_before_fillers
            .iter()
            .find(|f| text[..start].ends_with(f.as_str()))
        {
            start -= f.len();
        }
        let negation = words
            .zero_before
            .iter()
            .filter(|w| text[..start].ends_with(w.as_str()))
            .max_by_key(|w| w.len())?;
        start -= negation.len();
        if words
            .zero_before_not_after
            .iter()
            .any(|w| text[..start].ends_with(w.as_str()))
        {
            return None;
        }
        let mut end = hit.end;
        while let Some(f) = words
            .zero_before_fillers
            .iter()
            .find(|f| text[end..].starts_with(f.as_str()))
        {
            end += f.len();
        }
        // (本年度未发生因公出国（境）费。: the keyword may end the clause itself.)
        if let Some(last) = words
            .zero_before_ends
            .iter()
            .find(|e| text[end..].starts_with(e.as_str()))
        {
            end += last.len();
        }
        let clause_ends = text[end..].chars().next().is_none_or(|c| CLAUSE_STOPS.contains(&c));
        clause_ends.then_some((start, end))
    }

    fn money(&self, hit: &Hit, item: usize, reading: Reading, until: usize, cands: &mut Candidates) {
        let strict = reading.strict();
        let Some(m) = self.cfg.money.get(item) else { return };
        if self.names_only_a_part(hit, m) {
            return;
        }
        let field_of = |v: Variant| -> Option<Field> {
            match v {
                Variant::Actual => m.actual.as_deref().and_then(Field::from_name),
                Variant::Budget => m.budget.as_deref().and_then(Field::from_name),
            }
        };
        if self.prefix_is_foreign(hit.start) {
            return;
        }
        let before = self.doc.text.get(..hit.start).unwrap_or_default();
        if m.item_before.iter().any(|w| before.ends_with(w.as_str())) {
            return;
        }
        // 局本级收入合计 1,234 万元 beside 部门整体收入合计 1,500 万元: the
        // department's own level alone yields to the whole department's.
        let own_level = contains_any(
            &self.doc.text[self.doc.clause_start(hit.start, &CLAUSE_STOPS)..hit.start],
            &self.cfg.context.own_level_words,
        );
        let bonus = self.finance_bonus(hit.start) - i32::from(own_level);
        if self.states_zero(hit, until) {
            if let Some(f) = field_of(m.default) {
                cands.push(Candidate {
                    field: f,
                    value: Value::Num(0.0),
                    priority: bonus,
                    rule: "money:negation",
                    start: hit.start,
                    end: hit.end,
                });
            }
            return;
        }
        if let Some((start, end)) = self.states_zero_before(hit) {
            if let Some(f) = field_of(Variant::Actual) {
                cands.push(Candidate {
                    field: f,
                    value: Value::Num(0.0),
                    priority: bonus,
                    rule: "money:negation-before",
                    start,
                    end,
                });
            }
            return;
        }
        let two_variants = m.actual.is_some() && m.budget.is_some();
        let unqualified_here = self.doc.unqualified_at(hit.start);
        let in_budget = unqualified_here == Unqualified::Budget;
        let maybe_budget = unqualified_here == Unqualified::Unsure;
        // What an amount that says neither budget nor actual is: a budget
        // figure in a budget section or document; elsewhere the keyword's
        // default right after it, else actual.
        let unqualified = |first: bool| {
            if in_budget {
                Variant::Budget
            } else if first {
                m.default
            } else {
                Variant::Actual
            }
        };
        // The variant of a figure: the one its words state, else the
        // unqualified one; but a part of a budget (其中, right after a budget
        // figure) is a budget part. None: a budget part the item holds no
        // budget field for (其中基本支出 700 万元).
        let mut part_of_budget: Option<bool> = None; // asked once, when first needed
        let mut variant_for = |stated: Option<Variant>, first: bool| match stated {
            Some(v) => Some(v),
            None if !in_budget && *part_of_budget.get_or_insert_with(|| self.part_of_budget(hit.start)) => {
                field_of(Variant::Budget).map(|_| Variant::Budget)
            }
            None => Some(unqualified(first)),
        };
        match self.respectively(hit) {
            Respectively::No => {}
            Respectively::Unpaired(n) => {
                if let Some(field) = field_of(unqualified(true)) {
                    refuse_unpaired(field, hit.start, n, Number::wan, cands);
                }
                return;
            }
            Respectively::Paired(figures) => {
                // (收入、支出分别为…: a strict keyword stands alone, not in a list.)
                if strict {
                    return;
                }
                for (n, from, to) in figures {
                    let Some(v) = n.wan() else { return };
                    let stated = self.variant_of(&self.doc.text[from..to]);
                    if stated.is_none() && maybe_budget {
                        return;
                    }
                    let Some(variant) = variant_for(stated, true) else {
                        if let Some(field) = field_of(unqualified(true)) {
                            cands.refuse(Refusal::budget_part(field, hit.start, &n, v));
                        }
                        return;
                    };
                    let Some(field) = field_of(variant) else { continue };
                    if self.doc.inexact_after(&n) {
                        cands.refuse(Refusal::inexact(field, hit.start, &n, v));
                        continue;
                    }
                    if self.is_part_of_earlier(hit.start, field, &m.keywords, cands) {
                        return;
                    }
                    cands.push(Candidate {
                        field,
                        value: Value::Num(v),
                        priority: bonus,
                        rule: "money:respectively",
                        start: hit.start,
                        end: n.end,
                    });
                }
                return;
            }
        }
        let mut filled: Vec<Variant> = Vec::new();
        let mut prev_end = hit.end;
        // Where the keyword's first figure may start: right after it, or
        // after an aside that holds figures of its own.
        let mut first_from = hit.end;
        let mut aside_depth = 0usize;
        for n in self.doc.numbers_in(hit.end, until) {
            let gap = &self.doc.text[prev_end..n.start.max(prev_end)];
            if gap.contains(';') || gap.chars().count() > 24 {
                break;
            }
            // 收入合计（含财政拨款 1000 万元）1234.56 万元: a figure inside an
            // aside before the keyword's first figure is the aside's; the
            // keyword's comes after it closes (an aside left open gives none).
            // (After the first, an aside may hold the other variant: 35.20
            // 万元（预算 40.00 万元）.)
            if prev_end == first_from {
                aside_depth = (aside_depth + gap.matches('(').count()).saturating_sub(gap.matches(')').count());
                if aside_depth > 0 {
                    first_from = n.end;
                    prev_end = n.end;
                    continue;
                }
            }
            let first = prev_end == first_from;
            let strict_fails = first && strict && !self.strict_ok(hit, gap);
            let Some(v) = n.wan() else {
                // 累计支出91 2.97万元: the keyword's figure, cut by a space; a
                // figure read elsewhere for the field (912.96, a line below)
                // must not stand in for it.
                if first && !strict_fails && !self.gap_is_trap(gap) && self.money_cut_at(n, until) {
                    if let Some(field) = field_of(self.variant_of(gap).unwrap_or(unqualified(true))) {
                        cands.refuse(Refusal::cut(field, hit.start, n, bonus));
                    }
                    break;
                }
                prev_end = n.end;
                if n.unit == Unit::Bare || n.unit == Unit::Year {
                    break;
                }
                continue;
            };
            if strict_fails {
                break;
            }
            let other = self.doc.lex.names_other_figure(gap) || self.other_year_in(prev_end, n.start);
            // 约 1,234 万元, 超过 1,200 万元, 1200 万元左右, 1200 万元至 1300
            // 万元: the field's figure, but an estimate, a bound or a range.
            let inexact = !other && self.doc.is_inexact(gap, n);
            if inexact {
                if let Some(field) = field_of(self.variant_of(gap).unwrap_or(unqualified(first))) {
                    cands.refuse(Refusal::inexact(field, hit.start, n, v));
                }
            }
            if other || inexact {
                if two_variants {
                    prev_end = n.end;
                    continue;
                }
                break;
            }
            let stated = self.variant_of(gap);
            // Under a heading that may be 预算编制 cut by a break, such an
            // amount is neither, surely. (Not in a budget section or
            // document: there the unqualified variant is the budget.)
            if stated.is_none() && maybe_budget {
                if let Some(field) = field_of(unqualified(first)) {
                    cands.refuse(Refusal {
                        field,
                        value: v,
                        start: hit.start,
                        end: n.end,
                        why: "所在标题或为被换行截断的预算编制标题，是预算数还是实际数不能确定",
                        blocks: None,
                    });
                }
                break;
            }
            let Some(variant) = variant_for(stated, first) else {
                if let Some(field) = field_of(unqualified(first)) {
                    cands.refuse(Refusal::budget_part(field, hit.start, n, v));
                }
                break;
            };
            prev_end = n.end;
            if filled.contains(&variant) {
                continue;
            }
            let Some(field) = field_of(variant) else { break };
            if self.is_part_of_earlier(hit.start, field, &m.keywords, cands) {
                break;
            }
            filled.push(variant);
            cands.push(Candidate {
                field,
                value: Value::Num(v),
                priority: bonus,
                rule: reading.rule(),
                start: hit.start,
                end: n.end,
            });
            if !two_variants || filled.len() == 2 {
                break;
            }
        }
    }

    /// Whether `n` is the head of an amount a space cut (91 2.97万元, 1 234.56
    /// 万元): whole digits, then after spaces the rest, with its money unit.
    fn money_cut_at(&self, n: &Number, until: usize) -> bool {
        if n.unit != Unit::Bare || !self.doc.cut_by_space(n) {
            return false;
        }
        // A head with decimals (912.9 7万元) goes on only in whole digits:
        // 585.91 600.00 is a table row's two figures, not one cut.
        let in_decimals = n.decimals > 0;
        // The pieces that follow, spaces (or a spaced point: 91 2. 97万元)
        // between them, up to the one its money unit ends. (Those pieces
        // have no unit of their own: a number spaced from digits is read
        // with none. Their text says it.)
        let mut end = n.end;
        for piece in self.doc.numbers_in(n.end, until).iter().take(4) {
            let gap = self.doc.text.get(end..piece.start).unwrap_or("-");
            let joined = gap.trim_matches([' ', '.']).is_empty();
            if !joined || (in_decimals && (piece.decimals > 0 || end != n.end || gap.contains('.'))) {
                return false;
            }
            let unit_after = self.doc.text.get(piece.digits_end..).unwrap_or_default().trim_start();
            if self
                .cfg
                .units
                .keys()
                .any(|u| u.ends_with('元') && unit_after.starts_with(u.as_str()))
            {
                return true;
            }
            end = piece.digits_end;
        }
        false
    }

    /// The first amount right after a keyword (for parts and functional classes).
    fn single_amount(&self, hit: &Hit, until: usize, allow_paren: bool) -> Option<Number> {
        if self.prefix_is_foreign(hit.start) {
            return None;
        }
        match self.respectively(hit) {
            Respectively::No => {}
            Respectively::Unpaired(_) => return None,
            Respectively::Paired(figures) => {
                let &(n, from, to) = figures.first()?;
                n.wan()?;
                let budget = matches!(self.variant_of(&self.doc.text[from..to]), Some(Variant::Budget));
                return (!budget && !self.doc.inexact_after(&n)).then_some(n);
            }
        }
        let n = *self.doc.numbers_in(hit.end, until).first()?;
        n.wan()?;
        let gap = &self.doc.text[hit.end..n.start];
        let gap_clean: String = if allow_paren {
            strip_parens(gap)
        } else {
            gap.to_string()
        };
        let g = gap_clean.trim();
        if g.chars().count() > 6 || self.gap_is_trap(g) || g.contains(';') || g.contains(',') {
            return None;
        }
        if matches!(self.variant_of(g), Some(Variant::Budget)) {
            return None;
        }
        Some(n)
    }

    fn rate(&self, hit: &Hit, rule: usize, sent_end: usize, cands: &mut Candidates) {
        let Some(r) = self.cfg.rates.get(rule) else { return };
        let Some(field) = Field::from_name(&r.field) else {
            return;
        };
        if self.prefix_is_foreign(hit.start) {
            return;
        }
        // 控制率=实际支出/预算数×100%=75%: the formula's ×100% is no rate.
        let factor = |n: &&Number| {
            let before = self.doc.text.get(..n.start).unwrap_or_default().trim_end();
            before.ends_with(['×', '*', 'x', 'X']) || before.ends_with("乘以")
        };
        // 预算执行率和“三公”经费控制率分别为 96%、75%: the rate paired with the keyword.
        let Some(paired) = self.listed_figure(hit, field, Number::fraction, cands) else {
            return;
        };
        let first_rate = || {
            self.doc
                .numbers_in(hit.end, sent_end)
                .iter()
                .filter(|n| n.unit == Unit::Percent)
                .find(|n| !factor(n))
                .copied()
        };
        let Some(n) = paired.map_or_else(first_rate, |n| (n.unit == Unit::Percent).then_some(n)) else {
            return;
        };
        // <100%: a bound the rate is compared with, not the rate (read when
        // the rate itself was broken: 9 5.8 5%<100%).
        let before = self.doc.text.get(..n.start).unwrap_or_default();
        if before.trim_end().ends_with(['<', '>', '≤', '≥']) {
            return;
        }
        let gap = if paired.is_some() {
            ""
        } else {
            &self.doc.text[hit.end..n.start]
        };
        if gap.chars().count() > 80 {
            return;
        }
        let Some(v) = n.fraction() else { return };
        // 控制率：上年 95%，本年 90%; 控制率目标值为 100%，实际完成 90%: the
        // first percentage is last year's, a change's or a target's.
        if self.doc.lex.names_other_figure(gap) || contains_any(gap, &r.gap_trap_words) {
            cands.refuse(Refusal::other_figure(field, hit.start, &n, v));
            return;
        }
        // 控制率为-25%: a fall written as a rate, no rate.
        if v < 0.0 {
            cands.refuse(Refusal {
                field,
                value: v,
                start: hit.start,
                end: n.end,
                why: "比率为负数，或为增减幅度",
                blocks: None,
            });
            return;
        }
        // 执行率在 80% 以上, 约 80%: a bound or an estimate, not the rate.
        if self.doc.is_inexact(gap, &n) {
            cands.refuse(Refusal::inexact(field, hit.start, &n, v));
            return;
        }
        cands.push(Candidate {
            field,
            value: Value::Num(v),
            priority: 1,
            rule: "rate:keyword",
            start: hit.start,
            end: n.end,
        });
    }

    fn count(&self, hit: &Hit, rule: usize, until: usize, cands: &mut Candidates) {
        let Some(r) = self.cfg.counts.get(rule) else { return };
        let Some(field) = Field::from_name(&r.field) else {
            return;
        };
        // A whole's clause is its own: 合计编制 25 名 after 事业编制 10 名 is
        // not the 事业编制's (and 行政编制 15 名 before it is one kind: a part).
        let clause_start = self.doc.clause_start(hit.start, &CLAUSE_STOPS);
        let total = r
            .total_before
            .iter()
            .any(|w| self.doc.text[clause_start..hit.start].trim_end().ends_with(w.as_str()));
        let seg_start = if total {
            clause_start
        } else {
            self.doc.clause_start(hit.start, &SEGMENT_STOPS)
        };
        let lead = &self.doc.text[seg_start..hit.end];
        let excluded = self
            .doc
            .lex
            .count_exclude
            .get(rule)
            .map_or_else(|| contains_any(lead, &r.exclude_before), |words| words.any_in(lead));
        if excluded || self.prefix_is_foreign(hit.start) {
            return;
        }
        // 编制数和实有人数分别为 30 人、28 人: the figure paired with the
        // keyword, with nothing between them to ask.
        let people = |n: &Number| (n.unit == Unit::People).then_some(n.value);
        let Some(paired) = self.listed_figure(hit, field, people, cands) else {
            return;
        };
        let Some(n) = paired.as_ref().or_else(|| self.doc.numbers_in(hit.end, until).first()) else {
            return;
        };
        let gap = if paired.is_some() {
            ""
        } else {
            self.doc.text[hit.end..n.start].trim()
        };
        // 实有人数：去年 25 人, 实有人数减少 2 人, 在编人员中党员 15 人, 由 30 人减至 28 人:
        // last year's, a change, a part, the old count.
        if self.doc.lex.names_other_figure(gap) || contains_any(gap, &r.gap_trap_words) {
            if matches!(n.unit, Unit::People) {
                cands.refuse(Refusal::other_figure(field, hit.start, n, n.value));
            }
            return;
        }
        // 至目前行政编制 28 名: the current count outranks an older one.
        let current = || i32::from(self.doc.lex.current.any_in(&self.doc.text[clause_start..hit.end]));
        // 行政编制为 2 6 名: the count is there but cut; another count of the
        // text (an older one) must not stand in for it.
        if n.unit == Unit::Bare && gap.chars().count() <= 3 && self.doc.cut_by_space(n) {
            cands.refuse(Refusal::cut(field, hit.start, n, current()));
            return;
        }
        // A headcount says 人/名, or it is a table's number cell right under its label (人员编制 / 21).
        let cell = n.unit == Unit::Bare && self.doc.clean.number_cells.binary_search(&n.start).is_ok();
        // 编制人数 | 30: a two-column row's figure under the count's own label.
        let row_cell = n.unit == Unit::Bare && self.count_row_cell(hit, n, &r.keywords);
        let gap = if row_cell { "" } else { gap };
        if !(n.unit == Unit::People || cell || row_cell) || gap.chars().count() > 3 || gap.contains(',') {
            return;
        }
        if n.value.fract() != 0.0 || n.value <= 0.0 || n.value >= 1_000_000.0 {
            return;
        }
        // 约 30 人, 28 人以上: a headcount, but not exact.
        if self.doc.is_inexact(gap, n) {
            cands.refuse(Refusal::inexact(field, hit.start, n, n.value));
            return;
        }
        if contains_any(self.breakdown_after(n), &r.exclude_breakdown) {
            return;
        }
        if self.counts_one_kind_of_several(&r.kind_words, seg_start, n.end) {
            cands.refuse(Refusal::one_kind(field, hit.start, n));
            return;
        }
        if self.is_part_of_earlier(hit.start, field, &r.keywords, cands) {
            return;
        }
        cands.push(Candidate {
            field,
            value: Value::Int(n.value as i64),
            priority: current(),
            rule: "count:keyword",
            start: hit.start,
            end: n.end,
        });
    }

    /// Whether `n` is the figure of a two-cell row (编制人数 | 30) whose label
    /// is one of the count's `keywords`, or a `[normalize] number_cell_labels`
    /// label that holds the keyword found, and nothing follows it on its line.
    fn count_row_cell(&self, hit: &Hit, n: &Number, keywords: &[String]) -> bool {
        let text = self.doc.text;
        let line_start = text.get(..hit.start).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
        let line_end = text
            .get(n.end..)
            .and_then(|r| r.find('\n'))
            .map_or(text.len(), |i| n.end + i);
        let Some((label, figure)) = text.get(line_start..line_end).and_then(|l| l.split_once('|')) else {
            return false;
        };
        let keyword = text.get(hit.start..hit.end).unwrap_or_default();
        let label = label.trim();
        let labelled = keywords.iter().any(|k| k == label)
            || self
                .cfg
                .normalize
                .number_cell_labels
                .iter()
                .any(|l| l == label && l.contains(keyword));
        labelled && Some(figure.trim()) == text.get(n.start..n.end)
    }

    /// Whether the count in `from..to` (its clause, up to its figure) names
    /// one of the `kinds` of post while the rest of its sentence names another
    /// (行政编制 20 名、事业编制 10 名): the count is one kind's, not the whole.
    fn counts_one_kind_of_several(&self, kinds: &[String], from: usize, to: usize) -> bool {
        let text = self.doc.text;
        let own_clause = text.get(from..to).unwrap_or_default();
        let own: Vec<&str> = kinds
            .iter()
            .map(String::as_str)
            .filter(|k| own_clause.contains(k))
            .collect();
        if own.is_empty() {
            return false;
        }
        let (s_start, s_end) = self.doc.sentence_of(from);
        let rest = [
            text.get(s_start..from).unwrap_or_default(),
            text.get(to..s_end).unwrap_or_default(),
        ];
        kinds
            .iter()
            .map(String::as_str)
            .any(|k| !own.iter().any(|o| o.contains(k) || k.contains(o)) && rest.iter().any(|t| t.contains(k)))
    }

    /// A figure's breakdown: the sentence that starts right after it with 其中
    /// (205人。其中…; 205人,其中…; 205人(其中…), up to its end, or to a `;`
    /// where the counts before it add up to the figure. Empty when the
    /// next clause is about something else (编制30人,实有28人,其中… breaks down the 28).
    fn breakdown_after(&self, n: &Number) -> &str {
        let pos = n.end;
        let text = self.doc.text;
        let next = text.get(pos..).unwrap_or_default();
        let lead = next.len() - next.trim_start_matches(['。', ';', ',', '(', ' ', '\n']).len();
        let from = pos + lead;
        if !text.get(from..).is_some_and(|r| r.starts_with("其中")) {
            return "";
        }
        let (_, mut end) = self.doc.sentence_of(from);
        // A breakdown in brackets ends with them: 35人(其中…),实有35人,离退休9人.
        if text.get(pos..from).is_some_and(|l| l.contains('(')) {
            if let Some(close) = text.get(from..end.max(from)).and_then(|b| b.find(')')) {
                end = from + close;
            }
        }
        // 核定编制 30 名，其中行政编制 20 名，事业编制 10 名；实有人员 28 名，退休
        // 12 名: a breakdown whose counts add up to the figure by a `;` ends there.
        let mut semis = text.get(from..end.max(from)).unwrap_or_default().match_indices(';');
        if let Some(close) = semis.find_map(|(i, _)| {
            let sum: f64 = self
                .doc
                .numbers_in(from, from + i)
                .iter()
                .filter(|m| m.unit == Unit::People)
                .map(|m| m.value)
                .sum();
            (sum == n.value).then_some(from + i)
        }) {
            end = close;
        }
        text.get(from..end.max(from)).unwrap_or_default()
    }

    fn function(&self, hit: &Hit, class: usize, until: usize) -> Option<FunctionSpending> {
        let name = self.cfg.functions.get(class)?.name.clone();
        // Budget allocations (a budget document's, or under 预算编制) and
        // year-on-year comparisons are not the year's spending.
        if self.doc.unqualified_at(hit.start) != Unqualified::Plain {
            return None;
        }
        let n = self.single_amount(hit, until, true)?;
        let amount = n.wan()?;
        let p = self.doc.provenance("function:keyword", hit.start, n.end);
        Some(FunctionSpending {
            function_class: name,
            amount,
            snippet: p.snippet,
            char_start: p.char_start,
            char_end: p.char_end,
        })
    }

    /// The money unit most amounts of this report are written in (for bare numbers in formulas).
    fn doc_money_unit(&self) -> Option<f64> {
        let mut wan = 0usize;
        let mut other = 0usize;
        for n in &self.doc.numbers {
            if let Unit::Money(f) = n.unit {
                if (f - 1.0).abs() < 1e-12 {
                    wan += 1;
                } else {
                    other += 1;
                }
            }
        }
        (wan > other).then_some(1.0)
    }
}

fn strip_parens(s: &str) -> String {
    let mut depth = 0i32;
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A total the report does not state, from two or more stated parts (derived).
fn sum_parts(
    ctx: &Context,
    parts: &[(usize, usize, f64, usize, usize)],
    cands: &mut Candidates,
    out: &mut ReportFacts,
) {
    for (rule_idx, rule) in ctx.cfg.parts.iter().enumerate() {
        let Some(total) = Field::from_name(&rule.total) else {
            continue;
        };
        if cands.has(total) {
            continue;
        }
        let mine: Vec<&(usize, usize, f64, usize, usize)> = parts.iter().filter(|p| p.0 == rule_idx).collect();
        // Two parts at least, and the main one among them.
        let has_main = rule.require_one_of.is_empty()
            || mine
                .iter()
                .any(|p| contains_any(&ctx.doc.text[p.3..p.4], &rule.require_one_of));
        if mine.len() < 2 || !has_main {
            continue;
        }
        let sum: f64 = mine.iter().map(|p| p.2).sum();
        let listing: Vec<String> = mine.iter().map(|p| ctx.doc.text[p.3..p.4].to_string()).collect();
        out.facts.push(derived_fact(
            total,
            Value::Num(round6(sum)),
            "derived:sum-of-parts",
            listing.join(" + "),
        ));
    }
}

/// One amount per class: repeated statements must agree, else the class is dropped with a check.
fn dedupe_functions(out: &mut ReportFacts) {
    let mut kept: Vec<FunctionSpending> = Vec::new();
    let mut conflicted: Vec<String> = Vec::new();
    for f in std::mem::take(&mut out.functions) {
        match kept.iter().position(|k| k.function_class == f.function_class) {
            None => kept.push(f),
            Some(i) => {
                if (kept[i].amount - f.amount).abs() >= 0.005 && !conflicted.contains(&f.function_class) {
                    conflicted.push(f.function_class.clone());
                }
            }
        }
    }
    kept.retain(|k| !conflicted.contains(&k.function_class));
    for c in conflicted {
        out.checks.push(Check {
            check: "conflict".into(),
            severity: Severity::Warning,
            message: format!("支出功能分类“{c}”有多个不同金额，无法确定，未列入"),
            fields: vec!["expenditure_by_function".into()],
            values: vec![c],
        });
    }
    out.functions = kept;
}

pub(crate) fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Totals and ratios that follow from stated figures, marked as derived.
pub(crate) fn derive(_cfg: &Config, out: &mut ReportFacts) {
    use Field::*;
    let num = |out: &ReportFacts, f: Field| out.num(f);
    // Total spending = basic + project.
    if num(out, ExpenditureTotal).is_none() {
        if let (Some(b), Some(p)) = (num(out, ExpenditureBasic), num(out, ExpenditureProject)) {
            out.facts.push(derived_fact(
                ExpenditureTotal,
                Value::Num(round6(b + p)),
                "derived:basic+project",
                format!("基本支出 {b} + 项目支出 {p}"),
            ));
        }
    }
    // Basic = personnel + public use.
    if num(out, ExpenditureBasic).is_none() {
        if let (Some(a), Some(b)) = (num(out, ExpenditurePersonnel), num(out, ExpenditurePublicUse)) {
            out.facts.push(derived_fact(
                ExpenditureBasic,
                Value::Num(round6(a + b)),
                "derived:personnel+public_use",
                format!("人员经费 {a} + 公用经费 {b}"),
            ));
        }
    }
    // “三公” = outbound + vehicle + reception, when all three are stated.
    let items = [
        (OutboundTravelActual, None),
        (VehicleActual, Some(VehicleBudget)),
        (ReceptionActual, Some(ReceptionBudget)),
    ];
    if num(out, ThreePublicActual).is_none() {
        let vals: Option<Vec<f64>> = items.iter().map(|(a, _)| num(out, *a)).collect();
        if let Some(v) = vals {
            out.facts.push(derived_fact(
                ThreePublicActual,
                Value::Num(round6(v.iter().sum())),
                "derived:sum-of-items",
                format!("因公出国（境）费 {} + 公务用车费 {} + 公务接待费 {}", v[0], v[1], v[2]),
            ));
        }
    }
    if num(out, ThreePublicBudget).is_none() {
        // An item with no spending and no stated budget counts as zero budget.
        let vals: Option<Vec<f64>> = items
            .iter()
            .map(|(a, b)| {
                b.and_then(|b| num(out, b))
                    .or_else(|| (num(out, *a) == Some(0.0)).then_some(0.0))
            })
            .collect();
        if let Some(v) = vals {
            if v.iter().any(|x| *x > 0.0) {
                out.facts.push(derived_fact(
                    ThreePublicBudget,
                    Value::Num(round6(v.iter().sum())),
                    "derived:sum-of-items",
                    format!(
                        "各项预算 {} + {} + {}（未列预算且支出为零的项目按 0 计）",
                        v[0], v[1], v[2]
                    ),
                ));
            }
        }
    }
    if num(out, ThreePublicRatio).is_none() {
        if let (Some(a), Some(b)) = (num(out, ThreePublicActual), num(out, ThreePublicBudget)) {
            if b > 0.0 {
                out.facts.push(derived_fact(
                    ThreePublicRatio,
                    Value::Num(round6(a / b)),
                    "derived:actual/budget",
                    format!("“三公”经费决算 {a} ÷ 预算 {b}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Field;

    use crate::extract::facts_of as run;

    /// A functional class's amount is the year's spending in a report, not
    /// in a budget document (部门预算: an allocation) or under 预算编制.
    #[test]
    fn a_budget_documents_function_amounts_are_no_spending() {
        let body = "二、支出情况\n教育支出（类）25.00万元，主要用于其他教育支出。\n";
        let classes = |text: &str| -> Vec<(String, f64)> {
            run(text)
                .functions
                .iter()
                .map(|f| (f.function_class.clone(), f.amount))
                .collect()
        };
        assert_eq!(
            classes(&format!("长沙市芙蓉区教育局2024年度部门决算\n{body}")),
            [("教育支出".to_string(), 25.0)]
        );
        assert_eq!(classes(&format!("长沙市芙蓉区教育局2025年部门预算\n{body}")), []);
        let under_budget = body.replace("二、支出情况", "三、预算编制情况");
        assert_eq!(
            classes(&format!("长沙市芙蓉区教育局2024年度部门决算\n{under_budget}")),
            []
        );
    }

    #[test]
    fn keyword_and_amount_in_one_clause() {
        let f = run("（二）部门整体收支情况\n2023年基本支出585.91万元，其中人员经费535.31万元，公用经费50.60万元。项目支出237.64万元。");
        assert_eq!(f.num(Field::ExpenditureBasic), Some(585.91));
        assert_eq!(f.num(Field::ExpenditurePersonnel), Some(535.31));
        assert_eq!(f.num(Field::ExpenditurePublicUse), Some(50.6));
        assert_eq!(f.num(Field::ExpenditureProject), Some(237.64));
        // Derived, and marked so.
        assert!((f.num(Field::ExpenditureTotal).unwrap() - 823.55).abs() < 1e-9);
        assert!(f.is_derived(Field::ExpenditureTotal));
    }

    /// An estimate, a bound or a range's end is the field's figure, but not
    /// exact: null and a check saying why, never the bound.
    #[test]
    fn estimates_bounds_and_ranges_are_not_figures() {
        let refused = |f: &crate::model::ReportFacts, field: Field| {
            f.checks
                .iter()
                .any(|c| c.check == "value_refused" && c.fields.first().is_some_and(|x| x == field.name()))
        };
        for text in [
            "本年收入合计约1,234万元。",
            "本年收入合计超过1,200万元。",
            "本年收入合计不足1,000万元。",
            "本年收入合计逾1,200万元。",
            "本年收入合计1200万元左右。",
            "本年收入合计1200万元以上。",
            "本年收入合计为1200万元至1300万元之间。",
            "本年收入合计1200万元～1300万元。",
            "本年收入合计1200万元-1300万元。",
        ] {
            let f = run(&format!("部门整体收支情况\n{text}"));
            assert_eq!(f.num(Field::RevenueTotal), None, "{text}");
            assert!(refused(&f, Field::RevenueTotal), "{text}: {:?}", f.checks);
        }
        let f = run("部门整体收支情况\n“三公”经费支出控制在10万元以内。");
        assert_eq!(f.num(Field::ThreePublicActual), None);
        // A budget and a bounded actual: the budget stands.
        let f = run("部门整体收支情况\n“三公”经费预算10万元，实际支出不足8万元。");
        assert_eq!(
            (f.num(Field::ThreePublicBudget), f.num(Field::ThreePublicActual)),
            (Some(10.0), None)
        );
        assert!(refused(&f, Field::ThreePublicActual));
        // 超出预算 2 万元 is a difference, not the budget.
        let f = run("部门整体收支情况\n“三公”经费支出超出预算2万元。");
        assert_eq!(f.num(Field::ThreePublicBudget), None);
        // Counts and rates alike.
        let f = run("部门概况\n本部门编制人数30人左右，实有人数约28人。");
        assert_eq!((f.get(Field::StaffAuthorized), f.get(Field::StaffActual)), (None, None));
        assert!(refused(&f, Field::StaffAuthorized) && refused(&f, Field::StaffActual));
        let f = run("部门整体收支情况\n“三公”经费预算执行率在80%以上。");
        assert_eq!(f.num(Field::ThreePublicRatio), None);
        // A formula's ×100% is no rate; a negative one is a change.
        let f = run("部门整体收支情况\n“三公”经费控制率=实际支出/预算数×100%=75%。");
        assert_eq!(f.num(Field::ThreePublicRatio), Some(0.75));
        let f = run("部门整体收支情况\n“三公”经费控制率为-25%。");
        assert_eq!(f.num(Field::ThreePublicRatio), None);
        assert!(refused(&f, Field::ThreePublicRatio));
        // An exact figure elsewhere is read; 至 before a date is no range,
        // nor a change in the next column of a table.
        let f = run("部门整体收支情况\n本年收入合计约1,234万元。决算收入合计1,234.56万元。");
        assert_eq!(f.num(Field::RevenueTotal), Some(1234.56));
        let f = run("部门整体收支情况\n本年支出合计1200万元至年底已全部支付。");
        assert_eq!(f.num(Field::ExpenditureTotal), Some(1200.0));
        let f = run("部门整体收支情况\n本年支出合计1200万元 -8.3%。");
        assert_eq!(f.num(Field::ExpenditureTotal), Some(1200.0));
    }

    /// A figure inside an aside after the keyword is the aside's; the
    /// keyword's is the one after the aside closes, and none if it stays open.
    #[test]
    fn a_figure_inside_an_aside_is_the_asides() {
        let f = run("部门整体收支情况\n2023年收入合计（含财政拨款1000万元）1234.56万元。");
        assert_eq!(f.num(Field::RevenueTotal), Some(1234.56));
        let f = run("部门整体收支情况\n2023年收入合计（含财政拨款1000万元，其他 234.56万元");
        assert_eq!(f.num(Field::RevenueTotal), None);
        let f = run("部门整体收支情况\n“三公”经费（不含会议费）预算20万元，实际支出15万元。");
        assert_eq!(
            (f.num(Field::ThreePublicBudget), f.num(Field::ThreePublicActual)),
            (Some(20.0), Some(15.0))
        );
        // After the first figure an aside may hold the other variant.
        let f = run("部门整体收支情况\n公务用车运行维护费 35.20 万元(预算 40.00 万元)。");
        assert_eq!(
            (f.num(Field::VehicleActual), f.num(Field::VehicleBudget)),
            (Some(35.2), Some(40.0))
        );
    }

    #[test]
    fn yuan_and_yi_are_converted() {
        let f = run("部门整体收支情况\n收入合计 1,234,500 元。支出合计 0.5 亿元。");
        assert!((f.num(Field::RevenueTotal).unwrap() - 123.45).abs() < 1e-9);
        assert_eq!(f.num(Field::ExpenditureTotal), Some(5000.0));
    }

    #[test]
    fn year_on_year_changes_and_previous_year_are_not_values() {
        let f = run("上年度收支预算安排总额 594.82 万元，同比增加 29.22 万元。基本支出比上年增加 12.5 万元。");
        assert_eq!(f.num(Field::BudgetInitial), None);
        assert_eq!(f.num(Field::ExpenditureBasic), None);
    }

    /// 公用经费39.7万元 under （1）预算编制合理性 is budgeted; with the heading
    /// cut by a break ((1)预算编 / 制合理性), whether it is budgeted or spent
    /// is unsure, so it is neither.
    #[test]
    fn an_amount_under_a_heading_that_may_be_a_cut_budget_heading_is_not_read() {
        let body = "自评得分5分，其中人员类经费预算747.92万元；公用经费39.7万元。\n";
        let whole = format!("（一）预算编制情况（28 分）\n（1）预算编制合理性（5分）。\n{body}");
        assert_eq!(run(&whole).num(Field::ExpenditurePublicUse), None);
        let cut = format!("（1）预算编\n制合理性（5分）。\n{body}");
        let f = run(&cut);
        assert_eq!(f.num(Field::ExpenditurePublicUse), None);
        // The null says why.
        assert!(f
            .checks
            .iter()
            .any(|c| c.check == "value_refused" && c.fields == ["expenditure_public_use"] && c.values == ["39.7"]));
        // A heading that is whole and names no budget: the amount is spending.
        let other = format!("（1）经费支出情况\n{body}");
        assert_eq!(run(&other).num(Field::ExpenditurePublicUse), Some(39.7));
    }

    /// Spaced digits (a letter-spaced PDF, a space between thousands) may be
    /// one number: no piece of it is read as a figure, a ratio or a fraction.
    #[test]
    fn a_number_spaced_from_digits_is_no_figure() {
        let f = run("（二）部门整体收支情况\n本年收入合计 1 234.56 万元。支出合计 1,234.56 万元。");
        assert_eq!(f.num(Field::RevenueTotal), None);
        assert_eq!(f.num(Field::ExpenditureTotal), Some(1234.56));
        // (The fraction's figures take the unit of the report's amounts.)
        let lead = "（二）部门整体收支情况\n支出合计 823.55 万元。\n";
        let f = run(&format!(
            "{lead}“三公”经费控制率=本年度“三公”经费实际支出数/预算安排的“三公”经费数=12.46/1 3=9 5.8 5%<100%。"
        ));
        assert_eq!(f.num(Field::ThreePublicBudget), None);
        assert_eq!(f.num(Field::ThreePublicRatio), None);
        // 95 .85%: not 85%; the ratio is computed from its figures instead.
        let f = run(&format!(
            "{lead}“三公”经费控制率=本年度“三公”经费实际支出数/预算安排的“三公”经费数=12.46/13=95 .85%<100%。"
        ));
        assert!(f.is_derived(Field::ThreePublicRatio));
        let f = run(&format!(
            "{lead}“三公”经费控制率=本年度“三公”经费实际支出数/预算安排的“三公”经费数=12.46/13=95.85%<100%。"
        ));
        assert_eq!(f.num(Field::ThreePublicBudget), Some(13.0));
        assert_eq!(f.num(Field::ThreePublicRatio), Some(0.9585));
    }

    /// 收入总计 X，其中：本年收入 Y: Y is a part, also where X was not read.
    #[test]
    fn list_separators_take_the_longest_at_each_place() {
        let seps: Vec<String> = ["、", "和", "及", "以及"].iter().map(|s| s.to_string()).collect();
        // 甲、乙以及丙: 以及 is one separator, not 以 then 及.
        assert_eq!(super::separator_spans("甲、乙以及丙", &seps), vec![(3, 6), (9, 15)]);
        assert!(super::separator_spans("基本支出", &seps).is_empty());
    }

    #[test]
    fn a_part_after_its_whole_is_a_part_where_the_whole_is_unread() {
        let f =
            run("（二）部门整体收支情况\n收入总计 1,234 .56 万元，其中：本年收入 1,200.00 万元，上年结转 34.56 万元。");
        assert_eq!(f.num(Field::RevenueTotal), None);
        let f =
            run("（二）部门整体收支情况\n收入总计 1,234.56 万元，其中：本年收入 1,200.00 万元，上年结转 34.56 万元。");
        assert_eq!(f.num(Field::RevenueTotal), Some(1234.56));
    }

    /// 全州县, 天全县, 万全区 are places: their 全州 / 全县 / 全区 does not make the
    /// department's figure a region-wide one.
    #[test]
    fn a_place_name_holding_a_scope_word_is_no_scope() {
        let f = run("（二）部门整体收支情况\n全州县人民政府梅田办事处年度总支出595.43万元。");
        assert_eq!(f.num(Field::ExpenditureTotal), Some(595.43));
        let f = run("（二）部门整体收支情况\n全州年度总支出595.43万元。");
        assert_eq!(f.num(Field::ExpenditureTotal), None);
    }

    #[test]
    fn budget_and_actual_qualifiers() {
        let f = run("公务用车购置及运行维护费支出决算为1.28万元，完成预算4万元的32%；公务接待费支出决算为2.41万元，完成预算5万元的48.20%。因公出国（境）费支出无。");
        assert_eq!(f.num(Field::VehicleActual), Some(1.28));
        assert_eq!(f.num(Field::VehicleBudget), Some(4.0));
        assert_eq!(f.num(Field::ReceptionBudget), Some(5.0));
        assert_eq!(f.num(Field::OutboundTravelActual), Some(0.0));
        assert!((f.num(Field::ThreePublicActual).unwrap() - 3.69).abs() < 1e-9);
        assert!((f.num(Field::ThreePublicRatio).unwrap() - 0.41).abs() < 1e-9);
    }

    #[test]
    fn zero_statements_pass_over_the_configured_words() {
        use crate::extract::facts_with_config_line as with;
        let text = "“三公”经费情况：因公出国（境）费支出无。";
        assert_eq!(run(text).num(Field::OutboundTravelActual), Some(0.0));
        let leads = r#"zero_leads = ["支出", "费用", "经费", "决算数", "决算", "实际", "均", "为"]"#;
        let f = with(leads, r#"zero_leads = ["决算"]"#, text);
        assert_eq!(f.num(Field::OutboundTravelActual), None);
    }

    /// 本年度无“三公”经费支出 states a zero; a negation of something else
    /// (无超标准…), a question (有无…), a clause that goes on (…支出预算) and
    /// a budget's statement state none.
    #[test]
    fn a_negation_before_the_keyword_states_its_zero() {
        let fact = |text: &str, field: Field| {
            let f = run(text);
            let rule = f.fact(field).map(|x| x.provenance.rule.clone());
            (f.num(field), rule)
        };
        let zero = (Some(0.0), Some("money:negation-before".to_string()));
        assert_eq!(
            fact(
                "本单位2024年度无“三公”经费财政拨款支出，故本表无数据。",
                Field::ThreePublicActual
            ),
            zero
        );
        assert_eq!(
            fact("说明：本年度没有财政拨款“三公”经费支出。", Field::ThreePublicActual),
            zero
        );
        assert_eq!(
            fact("本单位未发生因公出国（境）费支出。", Field::OutboundTravelActual),
            zero
        );
        for other in [
            "本单位严格执行规定，无超标准“三公”经费支出。",
            "重点检查有无“三公”经费支出。",
            "本年度无“三公”经费支出预算安排。",
            "无“三公”经费支出情况良好。",
        ] {
            assert_eq!(fact(other, Field::ThreePublicActual), (None, None), "{other}");
        }
        let budget = run("上海市普陀区商务委员会2025年度部门预算\n本部门无“三公”经费支出。");
        assert_eq!(budget.num(Field::ThreePublicActual), None);
        assert_eq!(budget.num(Field::ThreePublicBudget), None);
        // Another year's none is not this year's zero.
        let years = run("2023年度部门整体支出绩效自评报告\n2022年无“三公”经费支出，2023年“三公”经费支出 3 万元。");
        assert_eq!(years.num(Field::ThreePublicActual), Some(3.0));
        // A stated amount elsewhere that is not zero: neither is taken.
        let both = run("部门整体收支情况\n本年度无“三公”经费支出。\n部门整体收支情况\n“三公”经费支出 5 万元。");
        assert_eq!(both.num(Field::ThreePublicActual), None);
    }

    /// In a budget, the year's total (。支出预算…万元) is its initial budget;
    /// a part's figure inside a longer word (政府性基金拨款支出预算0万元) is
    /// not, and in a self-evaluation report the same words fill nothing.
    #[test]
    fn a_budgets_total_is_its_initial_budget() {
        let text = "上海市普陀区商务委员会2025年度部门预算\n一、收支预算总体情况\n2025年，收入预算37,151.47万元，其中：财政拨款收入37,151.47万元。支出预算37,151.47万元，其中：财政拨款支出预算37,151.47万元；政府性基金拨款支出预算0万元。";
        let f = run(text);
        assert_eq!(f.num(Field::BudgetInitial), Some(37151.47));
        let rule = f.fact(Field::BudgetInitial).map(|x| x.provenance.rule.as_str());
        assert_eq!(rule, Some("money:budget-document"));
        assert!(f.checks.iter().all(|c| c.check != "conflict"), "{:?}", f.checks);
        let report = text.replace("部门预算", "部门整体支出绩效自评报告");
        assert_eq!(run(&report).num(Field::BudgetInitial), None);
    }

    #[test]
    fn ratio_formula_assigns_both_sides() {
        let f = run("（2）“三公”经费控制率。=本年度“三公”经费实际支出数/预算安排的“三公”经费数=12.46/13=95.85%<100%。单位：万元，合计 20 万元。");
        assert_eq!(f.num(Field::ThreePublicActual), Some(12.46));
        assert_eq!(f.num(Field::ThreePublicBudget), Some(13.0));
        assert_eq!(f.num(Field::ThreePublicRatio), Some(0.9585));
        assert!(!f.is_derived(Field::ThreePublicRatio));
    }

    #[test]
    fn conflicting_candidates_give_null_and_a_check() {
        let f = run("部门整体收支情况\n本年收入合计 100 万元。\n部门整体收支情况\n本年收入合计 120 万元。");
        assert_eq!(f.num(Field::RevenueTotal), None);
        assert!(f
            .checks
            .iter()
            .any(|c| c.check == "conflict" && c.fields == ["revenue_total"]));
    }

    #[test]
    fn staff_of_others_and_parts_are_skipped() {
        let f = run("现行政编制 28 名，现在编 21 人；居民区工作人员编制 39 人，现在编 27 人。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(28)));
        assert_eq!(f.get(Field::StaffActual), Some(&crate::model::Value::Int(21)));
        let f = run("机关编制 35 人（其中行政编制 31 人、全额事业编制 4 人），实有在职人数 35 人。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(35)));
        let f = run("下属单位编制 45 名，实有 40 人。所属事业单位在编人员 38 人。");
        assert_eq!((f.get(Field::StaffAuthorized), f.get(Field::StaffActual)), (None, None));
        // A sum after its kinds is the department's: read, not the part.
        let f = run("本部门事业编制 10 名，合计编制 25 名。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(25)));
        // With its kinds listed, each kind is a part: the sum alone is read.
        let f = run("本部门行政编制 15 名，事业编制 10 名，合计编制 25 名；实有人数 23 人。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(25)));
        let f = run("本部门行政编制 20 名、事业编制 10 名，实有在编人员 27 人。");
        assert_eq!(f.get(Field::StaffAuthorized), None);
        assert!(f.checks.iter().any(|c| c.check == "value_refused"), "{:?}", f.checks);
    }

    /// 下属单位“三公”经费支出 10 万元: the subordinate units' alone.
    #[test]
    fn a_subordinate_units_figure_is_not_the_departments() {
        let f = run("二、部门整体收支情况\n下属单位“三公”经费支出 10 万元。所属单位支出合计 300 万元。\n");
        assert_eq!(
            (f.num(Field::ThreePublicActual), f.num(Field::ExpenditureTotal)),
            (None, None)
        );
    }

    /// 一季度支出合计 200 万元, 截至 6 月底，支出合计 400 万元: a part of the year.
    #[test]
    fn a_part_of_the_years_figure_is_not_the_years() {
        for part in [
            "一季度支出合计 200 万元。",
            "截至 6 月底，支出合计 400 万元。",
            "上半年本年支出合计 400 万元。",
        ] {
            let f = run(&format!("二、部门整体收支情况\n{part}\n"));
            assert_eq!(f.num(Field::ExpenditureTotal), None, "{part}");
        }
        let f = run("二、部门整体收支情况\n本年支出合计 800 万元，其中一季度支出 200 万元。\n");
        assert_eq!(f.num(Field::ExpenditureTotal), Some(800.0));
    }

    /// 培训经费年初预算 6 万元 is the training budget, not the department's.
    #[test]
    fn an_items_budget_and_totals_are_not_the_departments() {
        for item in ["培训经费", "会议费", "专项资金", "本项目", "公务用车经费"] {
            let f = run(&format!("三、预算执行情况\n{item}年初预算 6 万元，实际支出 5 万元。\n"));
            assert_eq!(f.num(Field::BudgetInitial), None, "{item}");
        }
        for whole in ["本单位", "2022年", ""] {
            let f = run(&format!(
                "三、预算执行情况\n{whole}年初预算 1,200.00 万元，全年实际支出 1,320.50 万元。\n"
            ));
            assert_eq!(f.num(Field::BudgetInitial), Some(1200.0), "{whole}");
        }
        // The same for the year's totals: 培训费支出合计, 项目收入合计.
        let f = run("二、部门整体收支情况\n培训费支出合计 5 万元。会议费总支出 3 万元。专项资金支出总额 120 万元。项目收入合计 30 万元。\n");
        assert_eq!(
            (f.num(Field::ExpenditureTotal), f.num(Field::RevenueTotal)),
            (None, None)
        );
        let f = run("二、部门整体收支情况\n本年收入合计 823.55 万元，本年支出合计 823.55 万元。\n");
        assert_eq!(
            (f.num(Field::ExpenditureTotal), f.num(Field::RevenueTotal)),
            (Some(823.55), Some(823.55))
        );
    }

    /// 累计支出91 2.97万元: the figure, cut by a space, cannot be read, and
    /// another statement of the field (912.96 further on) is not taken in its
    /// place; a table row of separate figures (585.91 600.00) is no cut.
    #[test]
    fn an_amount_cut_by_a_space_leaves_no_other_in_its_place() {
        let text = |n: &str| {
            format!("二、部门整体支出情况\n1.部门整体支出情况。2023年我办累计支出{n}万元。基本支出795.87万元。\n三、绩效情况\n自评得分6分，截止2023年底累计支出912.96万元。\n")
        };
        let f = run(&text("912.97"));
        assert_eq!(f.num(Field::ExpenditureTotal), Some(912.97));
        // Two figures of a row, each whole, are no cut figure: the row stays
        // unread as before, and the other statement stands.
        let f = run(&text("912.97 600.00"));
        assert_eq!(f.num(Field::ExpenditureTotal), Some(912.96));
        for cut in [
            "91 2.97", "9 12.97", "91 2. 97", "912.9 7", "912. 97", "912 .97", "912 . 97",
        ] {
            let f = run(&text(cut));
            assert_eq!(f.num(Field::ExpenditureTotal), None, "{cut}");
            assert!(
                f.checks
                    .iter()
                    .any(|c| c.check == "value_refused" && c.fields == ["expenditure_total"]),
                "{cut}: {:?}",
                f.checks
            );
        }
    }

    /// 至目前行政编制为 2 6 名: the current count, cut by a space, cannot be
    /// read, and the older one (行政编制 30 名) is not taken in its place.
    #[test]
    fn a_count_cut_by_a_space_leaves_no_older_count_in_its_place() {
        let text = |n: &str| {
            format!("设立时行政编制 30 名，后勤服务事业编制 5 名。后经编委陆续调减，至目前行政编制为 {n} 名，退休人员 8 人。")
        };
        let f = run(&text("26"));
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(26)));
        let f = run(&text("2 6"));
        assert_eq!(f.get(Field::StaffAuthorized), None);
        assert!(
            f.checks
                .iter()
                .any(|c| c.check == "value_refused" && c.fields == ["staff_authorized"]),
            "{:?}",
            f.checks
        );
    }

    /// A headcount broken down into serving staff and retirees counts people,
    /// not posts: it is not read. A 其中 of a later figure, or retirees named
    /// beside the count rather than under it, leave it read.
    /// 村 is an `exclude_before` word (a village's staff), but not inside a
    /// place name: 马村 is 马村区's short form.
    #[test]
    fn a_place_name_holding_an_exclusion_word_excludes_nothing() {
        let f = run("后经马村编委陆续调减，至目前行政编制为 26 名，退休人员 8 人。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(26)));
        let f = run("各村编制 26 名。");
        assert_eq!(f.get(Field::StaffAuthorized), None);
    }

    #[test]
    fn a_count_that_includes_retirees_is_not_the_staff() {
        let f = run("现有编制人员205人。其中,局机关在职113人、离休2人、退休75人、财政事务中心10人。");
        assert_eq!(f.get(Field::StaffAuthorized), None);
        let f = run("实有人数 40 人（其中在职 32 人，退休 8 人）。");
        assert_eq!(f.get(Field::StaffActual), None);
        let f = run("核定编制 30 人，实有人数 28 人，其中在职 25 人、退休 3 人。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(30)));
        let f = run("在职人员 30 人，退休人员 5 人。");
        assert_eq!(f.get(Field::StaffActual), Some(&crate::model::Value::Int(30)));
        let f = run("机关编制 35 人（其中行政编制 31 人、事业编制 4 人），实有在职人数 35 人，离退休 9 人。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(35)));
        let f = run("核定编制 35 人，其中行政编制 31 人、事业编制 4 人。");
        assert_eq!(f.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(35)));
        // The words are the config's: without them the count is read.
        let plain = crate::extract::facts_with_config_line(
            r#"exclude_breakdown = ["离休", "退休"]"#,
            "exclude_breakdown = []",
            "现有编制人员205人。其中,局机关在职113人、离休2人、退休75人。",
        );
        assert_eq!(plain.get(Field::StaffAuthorized), Some(&crate::model::Value::Int(205)));
    }

    /// 公务用车运行维护费 is the vehicle item only when no purchase stands beside it.
    #[test]
    fn running_costs_beside_a_purchase_are_not_the_vehicle_item() {
        let f = run("“三公”经费支出 26.50 万元，其中：公务接待费 3.50 万元，公务用车购置费 20.00 万元，公务用车运行维护费 3.00 万元，因公出国（境）费 0 万元。");
        assert_eq!(f.num(Field::VehicleActual), None);
        assert_eq!(f.num(Field::ReceptionActual), Some(3.5));
        let f = run("“三公”经费支出 6.50 万元，其中：公务接待费 3.50 万元，公务用车购置费 0 万元，公务用车运行维护费 3.00 万元。");
        assert_eq!(f.num(Field::VehicleActual), Some(3.0));
        let f = run("公务用车运行维护费 3.00 万元。");
        assert_eq!(f.num(Field::VehicleActual), Some(3.0));
        // The words come from the config.
        let f = crate::extract::facts_with_config_line(
            r#"sibling_part_keywords = ["公务用车购置费"]"#,
            "sibling_part_keywords = []",
            "公务用车购置费 20.00 万元，公务用车运行维护费 3.00 万元。",
        );
        assert_eq!(f.num(Field::VehicleActual), Some(3.0));
    }

    #[test]
    fn people_in_wan_and_region_totals_are_not_money() {
        let f = run("全市一般公共预算支出合计 35.2 亿元。服务人口收入 3 万人。");
        assert_eq!(f.num(Field::ExpenditureTotal), None);
        assert_eq!(f.num(Field::RevenueTotal), None);
    }
}
