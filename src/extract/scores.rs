//! Scores: the report's total, its grade, section scores and the scored
//! indicator lines (指标 / 分值 / 得分) in all the shapes reports use.

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::{
    automaton, chars_after, contains_any, derived_fact, ends_with_any, starts_with_any, Candidate, Candidates, Doc,
    Refusal, SectionKind,
};
use crate::config::Config;
use crate::extract::amount::Unit;
use crate::extract::fields::round6;
use crate::model::{Check, Field, Indicator, ReportFacts, Severity, Value};
use crate::normalize::heading_level;

pub(crate) struct ScoreMatcher {
    inline: Vec<Regex>,
    introducers: Vec<Regex>,
    total: AhoCorasick,
    total_strong: AhoCorasick,
    indicator_score: AhoCorasick,
    /// The sections of each scoring scheme (one, unnamed, when the config names none).
    schemes: Vec<SchemeSections>,
    grade_words: Vec<(String, String)>,
    /// The words before a section's own score.
    section_score: AhoCorasick,
}

/// One scoring scheme's sections: one automaton over their keywords, so
/// that a keyword of another scheme (效益 in 资金使用效益) never hides one of
/// this scheme's.
struct SchemeSections {
    /// `None`: the config names no scheme, and these are all its sections.
    name: Option<String>,
    automaton: AhoCorasick,
    /// Section index (in `score.sections`) of each pattern.
    section_of: Vec<usize>,
}

impl SchemeSections {
    fn new(cfg: &Config, name: Option<&str>) -> Result<Self, aho_corasick::BuildError> {
        let mut pats = Vec::new();
        let mut section_of = Vec::new();
        for (i, s) in cfg.score.sections.iter().enumerate() {
            if name.is_some() && s.scheme.is_some() && s.scheme.as_deref() != name {
                continue;
            }
            for k in &s.keywords {
                pats.push(k.clone());
                section_of.push(i);
            }
        }
        Ok(SchemeSections {
            name: name.map(str::to_string),
            automaton: automaton(&pats)?,
            section_of,
        })
    }

    /// Section index of a heading title or an indicator name: the earliest keyword wins.
    fn section_in(&self, s: &str) -> Option<usize> {
        self.keyword_in(s).map(|(i, _)| i)
    }

    /// The earliest keyword in `s`: its section index and where it stands.
    fn keyword_in(&self, s: &str) -> Option<(usize, aho_corasick::Match)> {
        let m = self.automaton.find(s)?;
        Some((*self.section_of.get(m.pattern().as_usize())?, m))
    }
}

impl ScoreMatcher {
    pub fn new(cfg: &Config) -> Result<Self, aho_corasick::BuildError> {
        let named = cfg.score.schemes();
        let schemes = if named.is_empty() {
            vec![SchemeSections::new(cfg, None)?]
        } else {
            named
                .into_iter()
                .map(|n| SchemeSections::new(cfg, Some(n)))
                .collect::<Result<_, _>>()?
        };
        let mut grade_words: Vec<(String, String)> = cfg
            .grades
            .iter()
            .map(|g| (g.name.clone(), g.name.clone()))
            .chain(cfg.grade.synonyms.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect();
        grade_words.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        // Patterns were validated when the config was loaded.
        let compile = |v: &[String]| v.iter().filter_map(|r| Regex::new(r).ok()).collect::<Vec<_>>();
        Ok(ScoreMatcher {
            inline: compile(&cfg.score.indicator_inline),
            introducers: compile(&cfg.score.indicator_introducers),
            total: automaton(&cfg.score.total_keywords)?,
            total_strong: automaton(&cfg.score.total_keywords_strong)?,
            indicator_score: automaton(&cfg.score.indicator_score_keywords)?,
            schemes,
            grade_words,
            section_score: automaton(&cfg.score.section_score_words)?,
        })
    }

    /// The scheme a report is scored under: the first, unless its headings
    /// of the top two levels (一、, （一）) name at least
    /// `score.scheme_min_sections` of another scheme's own sections, and more
    /// than they name of the first's. A heading names a section when its
    /// keyword ends as a name there (（三）产出（40 分）, 决策指标, 效益情况; not
    /// 产出目标完成情况 or 过程管理情况, a usual report's account of its targets).
    /// `None`: the config names no scheme.
    pub fn scheme_of(&self, doc: &Doc, cfg: &Config) -> Option<&str> {
        let named = |k: &SchemeSections| {
            let mut seen: Vec<usize> = Vec::new();
            for h in doc.clean.headings.iter().filter(|h| h.level <= 2) {
                let own = k.keyword_in(&h.title).and_then(|(i, m)| {
                    let scheme_own = cfg.score.sections.get(i).is_some_and(|s| s.scheme.is_some());
                    (scheme_own && names_a_section(cfg, i, &h.title, m.start(), m.end())).then_some(i)
                });
                if let Some(i) = own.filter(|i| !seen.contains(i)) {
                    seen.push(i);
                }
            }
            seen.len()
        };
        let (first, others) = self.schemes.split_first()?;
        let mut best = (first, named(first).max(cfg.score.scheme_min_sections.saturating_sub(1)));
        for k in others {
            let n = named(k);
            if n > best.1 {
                best = (k, n);
            }
        }
        best.0.name.as_deref()
    }

    /// The sections of the report's scheme.
    fn sections(&self, doc: &Doc) -> Option<&SchemeSections> {
        self.schemes
            .iter()
            .find(|k| k.name.as_deref() == doc.scheme)
            .or_else(|| self.schemes.first())
    }

    pub fn extract(&self, doc: &Doc, cfg: &Config, cands: &mut Candidates, out: &mut ReportFacts) {
        self.total_score(doc, cfg, cands);
        self.stated_grade(doc, cfg, cands);
        self.stated_sections(doc, cfg, cands);
        self.section_heading_body(doc, cfg, cands);
        self.bonus_none(doc, cfg, cands);
        let items = enumerated_items(doc.text);
        out.indicators = self.indicators(doc, cfg, &items);
        let mut prose = self.prose_indicators(doc, cfg);
        // An inline indicator (其中资产配置合规性 2 分…) is part of the enumerated one around it.
        for p in &mut prose {
            let start = doc.clean.byte_of_char(p.char_start.max(0) as usize);
            let around = out
                .indicators
                .iter()
                .filter(|o| o.char_start <= p.char_start)
                .max_by_key(|o| o.char_start);
            if let Some(o) = around {
                let o_start = doc.clean.byte_of_char(o.char_start.max(0) as usize);
                let next_item = items
                    .iter()
                    .find(|it| it.start > o_start)
                    .map_or(doc.text.len(), |it| it.start);
                if start < next_item && o.indicator != p.indicator {
                    p.parent = Some(o.indicator.clone());
                }
            }
        }
        for i in prose {
            super::add_indicator_once(&mut out.indicators, i);
        }
        out.indicators.sort_by_key(|i| i.char_start);
        overfull_sections(doc, cfg, out);
    }

    /// Indicators written in prose: the config's inline patterns and introducers.
    fn prose_indicators(&self, doc: &Doc, cfg: &Config) -> Vec<Indicator> {
        let mut found: Vec<ProseIndicator> = Vec::new();
        for re in &self.inline {
            for c in re.captures_iter(doc.text) {
                let (Some(all), Some(name)) = (c.get(0), c.name("name")) else {
                    continue;
                };
                let num = |g: &str| c.name(g).and_then(|m| m.as_str().parse::<f64>().ok());
                if let Some(score) = num("score") {
                    found.push(ProseIndicator {
                        start: all.start(),
                        end: all.end(),
                        name: name.as_str().to_string(),
                        max: num("max"),
                        score,
                        rule: "indicator:inline",
                    });
                }
            }
        }
        for re in &self.introducers {
            let starts: Vec<(usize, usize, String)> = re
                .captures_iter(doc.text)
                .filter_map(|c| Some((c.get(0)?.start(), c.get(0)?.end(), c.name("name")?.as_str().to_string())))
                .collect();
            for (k, (s, e, name)) in starts.iter().enumerate() {
                let next = starts
                    .get(k + 1)
                    .map_or_else(|| chars_after(doc.text, *e, 400), |n| n.0);
                // A mark before the next introducer is an introducer whose
                // name a break cut off: its score is not this one's.
                let limit = cfg
                    .score
                    .indicator_introducer_marks
                    .iter()
                    .filter_map(|m| doc.text.get(*e..next)?.find(m.as_str()).map(|at| e + at))
                    .min()
                    .unwrap_or(next);
                if let Some((score, end)) = self.own_score(doc, cfg, *e, limit) {
                    found.push(ProseIndicator {
                        start: *s,
                        end,
                        name: name.clone(),
                        max: None,
                        score,
                        rule: "indicator:introduced",
                    });
                }
            }
        }
        found
            .into_iter()
            .filter_map(
                |ProseIndicator {
                     start: s,
                     end: e,
                     name: raw,
                     max,
                     score,
                     rule,
                 }| {
                    let name = clean_name(&raw, cfg);
                    if name.chars().count() < 2 {
                        return None;
                    }
                    let section = self.section_of(doc, cfg, &name, s, None)?;
                    let p = doc.provenance(rule, s, e);
                    Some(Indicator {
                        section: section.title.clone(),
                        indicator: name,
                        max_score: max,
                        score: Some(score),
                        parent: None,
                        rule: p.rule,
                        snippet: p.snippet,
                        char_start: p.char_start,
                        char_end: p.char_end,
                    })
                },
            )
            .collect()
    }

    /// `N 分` right after a keyword (at most `为`/`:`/spaces between).
    fn points_after(&self, doc: &Doc, cfg: &Config, end: usize) -> Option<(f64, usize)> {
        let n = doc.numbers_in(end, (end + 12).min(doc.text.len())).first().copied()?;
        let gap = doc.text[end..n.start].trim();
        if !cfg.context.is_copula(gap) || n.unit != Unit::Points {
            return None;
        }
        // 得分 90 分以上为优秀: a band's bound, from the scoring rules.
        let after = doc.text.get(n.end..).unwrap_or_default().trim_start();
        if cfg.score.band_after.iter().any(|w| after.starts_with(w.as_str())) {
            return None;
        }
        // 得分 90 分左右, 90 分至 95 分: an estimate or a range, not the score.
        if doc.inexact_after(&n) {
            return None;
        }
        Some((n.value, n.end))
    }

    /// The head of `N 分` right after a keyword that a space cut (自评得分9
    /// 2.5分): a bare figure whose digits go on after a space to a score.
    fn cut_points_after(&self, doc: &Doc, cfg: &Config, end: usize) -> Option<super::amount::Number> {
        let mut pieces = doc.numbers_in(end, (end + 24).min(doc.text.len())).iter();
        let n = *pieces.next()?;
        let gap = doc.text.get(end..n.start)?.trim();
        if !cfg.context.is_copula(gap) || n.unit != Unit::Bare || !doc.cut_by_space(&n) {
            return None;
        }
        // (A piece spaced from digits is read with no unit: its text says it.)
        let rest = pieces.next()?;
        let joined = doc.text.get(n.end..rest.start)?.trim_matches([' ', '.']).is_empty();
        let points = doc.text.get(rest.digits_end..)?.trim_start().starts_with('分');
        (joined && points).then_some(n)
    }

    fn total_score(&self, doc: &Doc, cfg: &Config, cands: &mut Candidates) {
        // A plausible `N 分` right after a keyword match: (start, value, end).
        let stated = |m: aho_corasick::Match| {
            self.points_after(doc, cfg, m.end())
                .filter(|&(v, _)| plausible_total(cfg, v))
                .map(|(v, end)| (m.start(), v, end))
        };
        let total = |cands: &mut Candidates, (start, v, end): (usize, f64, usize), priority, rule| {
            cands.push(Candidate {
                field: Field::ScoreTotal,
                value: Value::Num(v),
                priority,
                rule,
                start,
                end,
            });
        };
        // One pass over the plain keywords: those in the conclusion, and
        // those outside it whose sentence is about the whole spending.
        let (mut in_conclusion, mut of_whole) = (false, Vec::new());
        // Whether the clause of a total keyword at `start` makes its score
        // another than this year's department's: 上年度自评得分 92 分 (last
        // year's), 项目支出绩效自评得分 92 分 (the projects'), 全市部门平均自评
        // 得分 88 分 (the region's), 目标是自评得分 95 分 (a target).
        let not_the_total = |start: usize| {
            let clause = clause_before(doc, 0, start);
            let other_subject = contains_any(clause, &cfg.score.total_other_subject_words)
                && !contains_any(clause, &cfg.score.total_subject_words);
            // 经区财政局复核，…得分为 85 分: the reviewer's score, said anywhere
            // before the keyword in its sentence, is not the self-evaluation's.
            let (sentence_start, _) = doc.sentence_of(start);
            let reviewed = contains_any(
                doc.text.get(sentence_start..start).unwrap_or_default(),
                &cfg.score.review_words,
            );
            other_subject || reviewed || doc.lex.previous_year.any_in(clause) || target_or_region(doc, cfg, clause)
        };
        for m in self.total.find_iter(doc.text) {
            if not_the_total(m.start()) {
                continue;
            }
            if doc.under(m.start(), SectionKind::TotalScore) {
                if let Some(hit) = stated(m) {
                    in_conclusion = true;
                    // 最终得分 92 分: the score after bonus and deductions.
                    let before = doc.text.get(..m.start()).unwrap_or_default();
                    let priority = if ends_with_any(before, &cfg.score.final_words) {
                        2
                    } else {
                        1
                    };
                    total(cands, hit, priority, "score:total-in-conclusion");
                } else if let Some(n) = self.cut_points_after(doc, cfg, m.end()) {
                    // 自评得分9 2.5分: the total is there but cut; no other
                    // total of the text stands in for it.
                    in_conclusion = true;
                    cands.refuse(Refusal::cut(Field::ScoreTotal, m.start(), &n, 1));
                }
            } else if !in_conclusion && self.names_the_whole(doc, cfg, m.start()) {
                of_whole.extend(stated(m));
            }
        }
        if in_conclusion {
            return;
        }
        for hit in self
            .total_strong
            .find_iter(doc.text)
            .filter(|m| !not_the_total(m.start()))
            .filter_map(stated)
        {
            total(cands, hit, 0, "score:total-keyword");
        }
        for hit in of_whole {
            total(cands, hit, 0, "score:total-of-whole");
        }
    }

    /// A total keyword at `start` that begins its clause, in a sentence that
    /// names the department's whole spending before it and no section (so
    /// that 部门整体支出中，预算执行情况自评得分 41 分 stays a section's).
    fn names_the_whole(&self, doc: &Doc, cfg: &Config, start: usize) -> bool {
        let clause = doc.clause_start(start, &[',', ';', '。', ':']);
        if doc.text.get(clause..start).is_none_or(|gap| !gap.trim().is_empty()) {
            return false;
        }
        let (sentence, _) = doc.sentence_of(start);
        let Some(before) = doc.text.get(sentence..start) else {
            return false;
        };
        contains_any(before, &cfg.score.total_subject_words)
            && !cfg
                .score
                .sections_in(doc.scheme)
                .any(|s| contains_any(before, &s.keywords))
    }

    /// A grade word right after 自评 / 结论为 / 等级为 … in the conclusion.
    fn stated_grade(&self, doc: &Doc, cfg: &Config, cands: &mut Candidates) {
        for &(s, e) in &doc.sentences {
            if !doc.under(s, SectionKind::TotalScore) {
                continue;
            }
            let sentence = &doc.text[s..e];
            // Most sentences hold none of the words: one automaton pass says so.
            if !doc.lex.grade_after.any_in(sentence) {
                continue;
            }
            for prefix in &cfg.grade.stated_after {
                for (pi, _) in sentence.match_indices(prefix.as_str()) {
                    // 上年度自评得分 92 分，等级为优秀: last year's grade (but
                    // 较上年提高 3 分，等级为优秀 compares, and is this year's).
                    let clause = doc.text.get(doc.clause_start(s + pi, &[';', '。', '\n'])..s + pi);
                    if clause.is_some_and(|c| doc.lex.previous_year.any_in(c) && !doc.lex.change.any_in(c)) {
                        continue;
                    }
                    // 力争下一年度…，等级为优秀: a target; 全市平均等级为良好: the
                    // region's; 经复核，等级为良好: the reviewer's.
                    if clause.is_some_and(|c| target_or_region(doc, cfg, c) || contains_any(c, &cfg.score.review_words))
                    {
                        continue;
                    }
                    let tail = &sentence[pi + prefix.len()..];
                    let after = tail.trim_start_matches(['“', '"', '「', '\'', ' ', ':']);
                    let skipped = tail.len() - after.len();
                    if let Some((word, band)) = self.grade_words.iter().find(|(w, _)| after.starts_with(w.as_str())) {
                        let start = s + pi;
                        let end = start + prefix.len() + skipped + word.len();
                        let beside = self.score_beside_grade(doc, cfg, end);
                        // 中 and 差 are too short to trust without a closing quote or stop.
                        let rest = &after[word.len()..];
                        let closed = rest.is_empty()
                            || rest.starts_with(['”', '"', '」', '\'', '。', ',', ';', '等', '级'])
                            || beside.is_some();
                        if word.chars().count() == 1 && !closed {
                            continue;
                        }
                        cands.push(Candidate {
                            field: Field::Grade,
                            value: Value::Text(band.clone()),
                            priority: 1,
                            rule: "grade:stated",
                            start,
                            end,
                        });
                        if let Some((v, score_end)) = beside {
                            cands.push(Candidate {
                                field: Field::ScoreTotal,
                                value: Value::Num(v),
                                priority: 1,
                                rule: "score:total-beside-grade",
                                start,
                                end: score_end,
                            });
                        }
                    }
                }
            }
        }
    }

    /// The score that a stated grade, ending at `at`, carries in brackets or
    /// after a comma (等级为优秀（92 分）; 自评结论：优秀，92 分。): the total.
    fn score_beside_grade(&self, doc: &Doc, cfg: &Config, at: usize) -> Option<(f64, usize)> {
        let rest = doc.text.get(at..)?;
        let (inside, bracket) = match rest.strip_prefix('(') {
            Some(r) => (r, true),
            None => (rest.strip_prefix(',')?, false),
        };
        let (v, end) = self.points_after(doc, cfg, at + (rest.len() - inside.len()))?;
        let after = doc.text.get(end..)?.trim_start_matches(' ');
        let closed = if bracket {
            after.starts_with(')')
        } else {
            after.is_empty() || after.starts_with(['。', ';', ',', '\n'])
        };
        (closed && plausible_total(cfg, v)).then_some((v, end))
    }

    /// `预算编制情况总分 28 分，得分 28 分` / `加分得分3.5分`: a section keyword, then its score.
    fn stated_sections(&self, doc: &Doc, cfg: &Config, cands: &mut Candidates) {
        let Some(scheme) = self.sections(doc) else {
            return;
        };
        for m in scheme.automaton.find_iter(doc.text) {
            let Some(&si) = scheme.section_of.get(m.pattern().as_usize()) else {
                continue;
            };
            let Some(field) = cfg.score.sections.get(si).and_then(|s| Field::from_name(&s.id)) else {
                continue;
            };
            let (_, sent_end) = doc.sentence_of(m.start());
            let window_end = chars_after(doc.text, m.end(), 40).min(sent_end);
            let window = &doc.text[m.end()..window_end];
            let Some(word) = self.section_score.find(window) else {
                continue;
            };
            let pos = word.start();
            let gap = &window[..pos];
            // Inside a phrase of prose (…相匹配，部门预算执行及时均衡自评得分 3 分,
            // an item's text with its full stops lost), the keyword names no
            // section: only its own score word may follow it there. A short
            // keyword there ends a longer word (科学决策得分 5 分, 社会效益得分
            // 9 分: indicators) and names none at all. A lead word (其中决策部分
            // 得分 18 分) opens a phrase.
            let before = doc.text.get(..m.start()).unwrap_or_default();
            let mid_phrase = before.chars().next_back().is_some_and(crate::normalize::is_cjk)
                && !ends_with_any(before, &cfg.score.section_keyword_leads);
            let short = doc
                .text
                .get(m.start()..m.end())
                .is_some_and(|k| k.chars().nth(2).is_none());
            if mid_phrase && (short || !gap.trim().is_empty()) {
                continue;
            }
            // 预算编制、预算执行、资金使用效益情况自评得分 92 分: the last of a
            // list of sections; the score is the list's, not this section's.
            if ends_a_section(scheme, before, cfg) {
                continue;
            }
            // 预算编制合理性（10 分）…得分 8.5 分, 预算执行率：分值 10 分，得分 9 分:
            // a longer word than the section's, an indicator's name.
            // (What follows the title counts where the text goes on from the
            // keyword into it: 预算执行情 in 预算执行情况得分.)
            if !names_a_section(cfg, si, doc.text, m.start(), m.end()) {
                continue;
            }
            // The gap may hold the section's maximum (总分 28 分，) but nothing
            // else: a clause in it with no figure (从预算编制、预算执行、资金使用
            // 效益三个方面进行自评，自评得分 92 分) ends the keyword's phrase, and
            // the score is another clause's.
            let clauses_state_maxima = gap
                .rsplit_once(',')
                .is_none_or(|(head, _)| head.split(',').all(|c| c.contains(|ch: char| ch.is_ascii_digit())));
            let gap_ok = gap.chars().count() <= 16
                && clauses_state_maxima
                && !gap.contains(';')
                && !gap.contains('。')
                && (doc.numbers_in(m.end(), m.end() + pos).iter().all(|n| {
                    n.unit == Unit::Points && states_a_maximum(doc.text.get(m.end()..n.start).unwrap_or_default(), cfg)
                }))
                && scheme.automaton.find(gap).is_none()
                && !doc.lex.previous_year.any_in(gap)
                && !contains_any(gap, &cfg.score.target_words)
                && !doc.lex.approximate.any_in(gap);
            if !gap_ok {
                continue;
            }
            if let Some((v, end)) = self.points_after(doc, cfg, m.end() + word.end()) {
                cands.push(Candidate {
                    field,
                    value: Value::Num(v),
                    priority: 2,
                    rule: "score:section-stated",
                    start: m.start(),
                    end,
                });
            }
        }
    }

    /// `（三）资金使用效益（满分 40 分）` followed by a paragraph whose only score is `得分 36.5 分`.
    fn section_heading_body(&self, doc: &Doc, cfg: &Config, cands: &mut Candidates) {
        let Some(scheme) = self.sections(doc) else {
            return;
        };
        for h in doc.clean.headings.iter().filter(|h| h.level <= 2) {
            let Some(si) = scheme.section_in(&h.title) else {
                continue;
            };
            let Some(field) = cfg.score.sections.get(si).and_then(|s| Field::from_name(&s.id)) else {
                continue;
            };
            let next_start = h.para_end + 1;
            if next_start >= doc.text.len() {
                continue;
            }
            let (ps, pe) = doc.clean.paragraph(next_start);
            let para = &doc.text[ps..pe];
            // An item's paragraph, its enumerator spaced out (1 . 经济性。自评得分
            // 6 分, a letter-spaced PDF) too: the score is the item's.
            let head: String = para.chars().take(12).filter(|&c| c != ' ').collect();
            if heading_level(para).is_some() || heading_level(&head).is_some() {
                continue;
            }
            let scores: Vec<(usize, (f64, usize))> = self
                .section_score
                .find_iter(para)
                .filter_map(|w| self.points_after(doc, cfg, ps + w.end()).map(|p| (ps + w.start(), p)))
                .collect();
            if let [(start, (v, end))] = scores.as_slice() {
                cands.push(Candidate {
                    field,
                    value: Value::Num(*v),
                    priority: 1,
                    rule: "score:section-body",
                    start: *start,
                    end: *end,
                });
            }
        }
    }

    /// `加减分项。…` followed by a paragraph that is only `无`: no bonus, i.e. 0.
    fn bonus_none(&self, doc: &Doc, cfg: &Config, cands: &mut Candidates) {
        let Some(bonus) = cfg.score.sections.iter().find(|s| s.id == Field::ScoreBonus.name()) else {
            return;
        };
        for h in &doc.clean.headings {
            if !contains_any(&h.title, &bonus.keywords) {
                continue;
            }
            let next_start = h.para_end + 1;
            if next_start >= doc.text.len() {
                continue;
            }
            let (ps, pe) = doc.clean.paragraph(next_start);
            let para = doc.text[ps..pe].trim().trim_end_matches('。');
            if cfg.context.zero_words.iter().any(|z| z == para) {
                cands.push(Candidate {
                    field: Field::ScoreBonus,
                    value: Value::Num(0.0),
                    priority: 1,
                    rule: "score:bonus-none",
                    start: h.start,
                    end: pe,
                });
            }
        }
    }

    /// The section an indicator belongs to: the bonus when its name says so
    /// (加减分项 sits under 资金使用效益 in some reports), else the nearest
    /// enclosing heading that names a section (not the item's own heading).
    fn section_of<'c>(
        &self,
        doc: &Doc,
        cfg: &'c Config,
        name: &str,
        pos: usize,
        own_heading: Option<usize>,
    ) -> Option<&'c crate::config::ScoreSection> {
        let scheme = self.sections(doc)?;
        let by_name = scheme.section_in(name).filter(|&i| {
            cfg.score
                .sections
                .get(i)
                .is_some_and(|x| x.id == Field::ScoreBonus.name())
        });
        let idx = by_name.or_else(|| {
            doc.clean
                .enclosing(pos)
                .iter()
                .filter(|h| Some(h.start) != own_heading)
                .find_map(|h| scheme.section_in(&h.title))
        })?;
        cfg.score.sections.get(idx)
    }

    fn indicators(&self, doc: &Doc, cfg: &Config, items: &[Item]) -> Vec<Indicator> {
        let mut out = Vec::new();
        for (idx, item) in items.iter().enumerate() {
            // The item's own body ends where its first child or its next sibling starts.
            let end = items[idx + 1..]
                .iter()
                .find(|o| o.level <= item.level || o.start >= item.end_hint)
                .map_or(doc.text.len(), |o| o.start);
            let own_end = items.get(idx + 1).map_or(end, |o| o.start).min(end);
            if own_end <= item.body_start {
                continue;
            }
            let name_end = name_end(doc.text, item.body_start, own_end);
            let raw_name = &doc.text[item.body_start..name_end];
            let name = clean_name(raw_name, cfg);
            if name.chars().count() < 2 || name.chars().count() > cfg.score.indicator_name_max_chars {
                continue;
            }
            let Some(score) = self.own_score(doc, cfg, name_end, own_end) else {
                continue;
            };
            // 自评得(4)政府采购执行率(2 分)。…得分 2 分: an item a break joined
            // into the text before it was not found, and the score after it
            // is its own, not this one's.
            if enumerator_inside(doc.text.get(name_end..score.1).unwrap_or_default()) {
                continue;
            }
            let Some(section) = self.section_of(doc, cfg, &name, item.start, Some(item.start)) else {
                continue;
            };
            let max = max_after_name(doc, cfg, name_end, own_end);
            let p = doc.provenance("indicator:enumerated", item.start, score.1);
            let parent = items[..idx]
                .iter()
                .rev()
                .find(|o| o.level < item.level)
                .map(|o| clean_name(&doc.text[o.body_start..name_end_of(doc.text, o.body_start)], cfg));
            out.push(Indicator {
                section: section.title.clone(),
                indicator: name,
                max_score: max,
                score: Some(score.0),
                parent,
                rule: p.rule,
                snippet: p.snippet,
                char_start: p.char_start,
                char_end: p.char_end,
            });
        }
        out
    }

    /// The first score statement in an item's own body, not inside brackets and not a rule.
    fn own_score(&self, doc: &Doc, cfg: &Config, from: usize, to: usize) -> Option<(f64, usize)> {
        let body = &doc.text[from..to];
        for m in self.indicator_score.find_iter(body) {
            let abs = from + m.start();
            if inside_brackets(&doc.text[from..abs]) {
                continue;
            }
            let before: String = doc.text[from..abs]
                .chars()
                .rev()
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if cfg
                .score
                .indicator_rule_words
                .iter()
                .any(|w| before.ends_with(w.as_str()))
            {
                continue;
            }
            // 目标明确的得 5 分: a bare 得 after 的 or 者 states a rule's case
            // (本指标的得分为 5 分 is a score: its keyword is 得分为).
            if m.len() == '得'.len_utf8()
                && cfg
                    .score
                    .indicator_rule_before_bare
                    .iter()
                    .any(|w| before.ends_with(w.as_str()))
            {
                continue;
            }
            // 上年得分 8 分，本年得 10 分: last year's score is not the item's;
            // 力争得 5 分 is a target.
            let clause = clause_before(doc, from, abs);
            if doc.lex.previous_year.any_in(clause) || contains_any(clause, &cfg.score.target_words) {
                continue;
            }
            if let Some(found) = self.points_after(doc, cfg, from + m.end()) {
                return Some(found);
            }
            // 自评得分1 0分: the item's own score, broken by a space, cannot be
            // read; a score further on (the next item's, its enumerator broken
            // too: 4 .公平性。自评得分5分) is not this item's.
            if self.broken_number_after(doc, cfg, from + m.end()) {
                return None;
            }
        }
        None
    }

    /// Whether a score word at `end` is followed by a number a space cut
    /// in two (1 0分, 2 2 分): digits, a space, digits.
    fn broken_number_after(&self, doc: &Doc, cfg: &Config, end: usize) -> bool {
        let Some(n) = doc.numbers_in(end, (end + 12).min(doc.text.len())).first().copied() else {
            return false;
        };
        let gap = doc.text.get(end..n.start).unwrap_or_default().trim();
        cfg.context.is_copula(gap) && n.unit != Unit::Points && doc.cut_by_space(&n)
    }
}

/// An indicator found in prose, before its section is known.
struct ProseIndicator {
    start: usize,
    end: usize,
    name: String,
    max: Option<f64>,
    score: f64,
    rule: &'static str,
}

/// An enumerated item: `(1)` / `1.` / `1、` at a paragraph start or after `。`/`;`.
#[derive(Debug)]
struct Item {
    level: u8,
    start: usize,
    body_start: usize,
    /// The end of the enclosing level-1/2 heading's scope (a bound on the body).
    end_hint: usize,
}

fn enumerated_items(text: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut at_start = true;
    for (i, c) in text.char_indices() {
        if at_start && !c.is_whitespace() {
            if let Some((level, len)) = heading_level(&text[i..]) {
                items.push(Item {
                    level,
                    start: i,
                    body_start: i + len,
                    end_hint: usize::MAX,
                });
            }
        }
        at_start = matches!(c, '\n' | '。' | ';') || (at_start && c.is_whitespace());
    }
    // Level-1/2 headings bound the scope of everything under them.
    let bounds: Vec<usize> = items.iter().filter(|it| it.level <= 2).map(|it| it.start).collect();
    for it in &mut items {
        if let Some(&b) = bounds.iter().find(|&&b| b > it.start) {
            it.end_hint = b;
        }
    }
    items
}

/// Whether `s` holds an enumerator with a name after it, (4)政府采购 or
/// (二)预算执行: an item inside running text, not at a line's start.
fn enumerator_inside(s: &str) -> bool {
    s.match_indices('(').any(|(i, _)| {
        heading_level(&s[i..]).is_some_and(|(level, len)| {
            matches!(level, 2 | 4) && s[i + len..].chars().next().is_some_and(crate::normalize::is_cjk)
        })
    })
}

/// Where an item's name ends: the first stop, bracket or clause mark. A comma
/// inside a name that ends in its maximum (预决算信息,绩效评价结果公开性(4分)) stays.
fn name_end(text: &str, from: usize, to: usize) -> usize {
    let slice = &text[from..to.max(from)];
    let stop = slice.find(['。', ':', ';', '\n', '=']).unwrap_or(slice.len());
    if let Some(p) = slice[..stop].find('(') {
        let closes_with_points = slice[p..]
            .find(')')
            .is_some_and(|c| slice[p..p + c].trim_end().ends_with('分'));
        if closes_with_points && slice[..p].matches(',').count() <= 1 {
            return from + p;
        }
    }
    slice
        .find(['。', ',', ':', ';', '(', '\n', '='])
        .map_or(to, |i| from + i)
}

fn name_end_of(text: &str, from: usize) -> usize {
    let to = text[from..].find('\n').map_or(text.len(), |i| from + i);
    name_end(text, from, to)
}

fn clean_name(raw: &str, cfg: &Config) -> String {
    let mut s = without_stated_score(raw, &cfg.score.indicator_name_score_words)
        .trim()
        .to_string();
    // A name cut inside a prefix the config strips (3、部门整体 / 支出的效果性,
    // a heading a break cut short): what is left names nothing, and an
    // empty name is no indicator.
    let cut_in_prefix =
        cfg.score.indicator_name_strip_prefixes.iter().any(|p| {
            p.starts_with(s.as_str()) || s.strip_prefix(p.as_str()).is_some_and(|rest| rest.chars().count() < 2)
        });
    if cut_in_prefix {
        return String::new();
    }
    for p in &cfg.score.indicator_name_strip_prefixes {
        if let Some(rest) = s.strip_prefix(p.as_str()) {
            if rest.chars().count() >= 2 {
                s = rest.to_string();
            }
        }
    }
    for suf in &cfg.score.indicator_name_strip_suffixes {
        if let Some(rest) = s.strip_suffix(suf.as_str()) {
            if rest.chars().count() >= 2 {
                s = rest.to_string();
            }
        }
    }
    s.trim().to_string()
}

/// `name` up to the first of `words` that a number follows (预算编制情况总分 28 分
/// → 预算编制情况), when two or more chars are left.
fn without_stated_score<'a>(name: &'a str, words: &[String]) -> &'a str {
    // No digit, no stated score: most names, and a search per word saved.
    if !name.bytes().any(|b| b.is_ascii_digit()) {
        return name;
    }
    let cut = words
        .iter()
        .flat_map(|w| {
            name.match_indices(w.as_str()).filter_map(move |(at, _)| {
                let after = name.get(at + w.len()..)?.trim_start();
                after.starts_with(|c: char| c.is_ascii_digit()).then_some(at)
            })
        })
        .min();
    match cut {
        Some(at) if name.get(..at).is_some_and(|n| n.trim().chars().count() >= 2) => name.get(..at).unwrap_or(name),
        _ => name,
    }
}

/// `(5分)` right after the name, or `指标分值 18 分` in the first sentence.
fn max_after_name(doc: &Doc, cfg: &Config, name_end: usize, own_end: usize) -> Option<f64> {
    let rest = &doc.text[name_end..own_end.max(name_end)];
    if rest.starts_with('(') {
        if let Some(close) = rest.find(')') {
            let inner = &doc.text[name_end + 1..name_end + close];
            let nums = doc.numbers_in(name_end, name_end + close);
            if nums.len() == 1 && nums[0].unit == Unit::Points && inner.trim().ends_with('分') {
                return Some(nums[0].value);
            }
        }
    }
    // The first sentence after the name (past the stop that ends the name).
    let lead = rest.len() - rest.trim_start_matches(['。', ':', ',', ' ']).len();
    let first_sentence_end = rest[lead..].find('。').map_or(own_end, |i| name_end + lead + i);
    let sentence = &doc.text[name_end..first_sentence_end];
    for k in &cfg.score.max_keywords {
        // 得指标分值 10 分 and 考核分值得 1 分 are score statements that hold
        // 分值: not a maximum.
        let in_score_word = |p: usize| {
            cfg.score.indicator_score_keywords.iter().any(|s| {
                s.len() > k.len()
                    && s.match_indices(k.as_str())
                        .any(|(j, _)| p >= j && sentence.get(p - j..).is_some_and(|t| t.starts_with(s.as_str())))
            })
        };
        // 扣减指标分值 1 分: a deduction, by the word before the keyword or
        // before the longer keyword that holds it (分值 in 指标分值).
        let deducted = |p: usize| {
            cfg.score.max_keywords.iter().any(|whole| {
                let lead = whole.len().saturating_sub(k.len());
                whole.ends_with(k.as_str())
                    && p >= lead
                    && sentence.get(p - lead..).is_some_and(|t| t.starts_with(whole.as_str()))
                    && sentence.get(..p - lead).is_some_and(|before| {
                        cfg.score
                            .max_deduction_words
                            .iter()
                            .any(|w| before.ends_with(w.as_str()))
                    })
            })
        };
        if let Some(p) = sentence
            .match_indices(k.as_str())
            .map(|(p, _)| p)
            .find(|&p| !in_score_word(p) && !deducted(p))
        {
            let from = name_end + p + k.len();
            let n = doc.numbers_in(from, (from + 8).min(doc.text.len())).first().copied();
            if let Some(n) = n {
                if n.unit == Unit::Points && doc.text[from..n.start].trim().is_empty() {
                    return Some(n.value);
                }
            }
        }
    }
    None
}

/// The clause a score word at `pos` stands in, up to it (not before `from`):
/// where a previous-year word there makes the score last year's.
fn clause_before<'t>(doc: &Doc<'t>, from: usize, pos: usize) -> &'t str {
    let start = doc.clause_start(pos, &[',', ';', '。', '\n']).max(from);
    doc.text.get(start..pos).unwrap_or_default()
}

/// Whether `s`, before a score or grade, makes it a target's (目标是, 力争)
/// or the region's (全市平均), not this year's department's.
fn target_or_region(doc: &Doc, cfg: &Config, s: &str) -> bool {
    contains_any(s, &cfg.score.target_words) || doc.lex.scope.any_in(s)
}

fn inside_brackets(before: &str) -> bool {
    let open = before.matches('(').count();
    let close = before.matches(')').count();
    open > close
}

/// A section's indicators without those whose parent is itself a scored
/// indicator (its score already includes theirs).
pub fn top_level<'a>(all: &'a [Indicator], section: &str) -> Vec<&'a Indicator> {
    let mine: Vec<&Indicator> = all.iter().filter(|i| i.section == section).collect();
    mine.iter()
        .copied()
        .filter(|i| {
            !i.parent
                .as_deref()
                .is_some_and(|p| mine.iter().any(|o| o.indicator == p))
        })
        .collect()
}

/// Section scores as sums of their indicators, and the grade from the score band.
///
/// A sum is the section's score only when the indicators found are all of
/// it. One missed (its heading broken across lines, a layout not read)
/// would make a partial sum look like the score: a wrong number. So a sum
/// stands when it is proven complete, by either
/// - the maxima: the section's heading states its maximum (（一）预算编制情况
///   （28 分）) and the found indicators' maxima add up to exactly that; or
/// - the total: with it, every section's score (stated or summed) and the
///   bonus add up to the report's stated total (or pass 100 where the total
///   is capped at 100), which a partial sum would not.
///
/// Otherwise the field stays null and a check says what was found.
pub(crate) fn derive(cfg: &Config, doc: &Doc, out: &mut ReportFacts) {
    /// A section's indicator sum, not yet known to be complete.
    struct SectionSum {
        field: Field,
        title: String,
        names: Vec<String>,
        value: f64,
        section_max: f64,
        /// The found indicators' maxima, when each states one.
        found_max: Option<f64>,
    }
    let mut sums = Vec::new();
    for section in cfg.score.sections_in(doc.scheme) {
        let Some(field) = Field::from_name(&section.id) else {
            continue;
        };
        if out.get(field).is_some() || field == Field::ScoreBonus {
            continue;
        }
        let Some(section_max) = section_max(cfg, doc, section) else {
            continue;
        };
        let leaves = top_level(&out.indicators, &section.title);
        // Every indicator needs its score: without one the sum is partial.
        let Some(value) = leaves
            .iter()
            .map(|i| i.score)
            .sum::<Option<f64>>()
            .filter(|_| !leaves.is_empty())
        else {
            continue;
        };
        sums.push(SectionSum {
            field,
            title: section.title.clone(),
            names: leaves.iter().map(|i| i.indicator.clone()).collect(),
            value: round6(value),
            section_max,
            found_max: leaves.iter().map(|i| i.max_score).sum(),
        });
    }
    let by_maxima = |s: &SectionSum| s.found_max.is_some_and(|m| (m - s.section_max).abs() < 1e-6);
    let by_total = sums.iter().any(|s| !by_maxima(s)) && {
        let section_score = |field: Field| {
            out.num(field)
                .or_else(|| sums.iter().find(|s| s.field == field).map(|s| s.value))
        };
        match (
            crate::validate::sections_and_bonus(cfg, doc.scheme, section_score),
            out.num(Field::ScoreTotal),
        ) {
            (Some(sum), Some(total)) => crate::validate::sections_add_up(sum, total, cfg.validate.score),
            _ => false,
        }
    };
    for s in sums {
        if by_maxima(&s) || by_total {
            out.facts.push(derived_fact(
                s.field,
                Value::Num(s.value),
                "derived:sum-of-indicators",
                format!("{}：{}", s.title, s.names.join("、")),
            ));
            continue;
        }
        let found = match s.found_max {
            Some(m) => format!("分值合计 {} 分", round6(m)),
            None => "有的未写明分值，各部分得分与自评总分也不能相互印证".to_string(),
        };
        out.checks.push(Check {
            check: "section_score_not_derived".into(),
            severity: Severity::Info,
            message: format!(
                "“{}”满分 {} 分，已读出的 {} 个指标{}：不能确定已读全，该部分得分不由指标合计得出（留空）",
                s.title,
                round6(s.section_max),
                s.names.len(),
                found
            ),
            fields: vec![s.field.name().to_string(), "indicators".into()],
            values: vec![
                round6(s.section_max).to_string(),
                s.found_max.map(|m| round6(m).to_string()).unwrap_or_default(),
            ],
        });
    }
    if out.get(Field::Grade).is_none() {
        if let Some(score) = out.num(Field::ScoreTotal) {
            if let Some(band) = cfg.grades.iter().find(|g| score >= g.min) {
                if let Some(denial) = denied_band(cfg, doc, out, &band.name) {
                    out.checks.push(Check {
                        check: "grade_not_derived".into(),
                        severity: Severity::Warning,
                        message: format!(
                            "得分 {score} 分按分档为“{}”，但报告写“{denial}”：等级不由分档得出（留空），请核对",
                            band.name
                        ),
                        fields: vec!["grade".into(), "score_total".into()],
                        values: vec![band.name.clone(), score.to_string()],
                    });
                } else {
                    out.facts.push(derived_fact(
                        Field::Grade,
                        Value::Text(band.name.clone()),
                        "derived:score-band",
                        format!("自评得分 {score} 分，按分档（≥{} 分）", band.min),
                    ));
                }
            }
        }
    } else if let (Some(grade), Some(score)) = (out.text(Field::Grade), out.num(Field::ScoreTotal)) {
        if let Some(band) = cfg.grades.iter().find(|g| score >= g.min) {
            if band.name != grade {
                out.checks.push(Check {
                    check: "grade_band".into(),
                    severity: Severity::Warning,
                    message: format!("自评等级“{grade}”与得分 {score} 分对应的等级“{}”不一致", band.name),
                    fields: vec!["grade".into(), "score_total".into()],
                    values: vec![grade.to_string(), score.to_string()],
                });
            }
        }
    }
}

/// Where the total score's sentence, or a sentence of the conclusion, denies
/// the band `band` (未达到优秀等级, with the band's name or a synonym of it
/// right after a denial word), the clause that does so.
fn denied_band(cfg: &Config, doc: &Doc, out: &ReportFacts, band: &str) -> Option<String> {
    let names: Vec<&str> = std::iter::once(band)
        .chain(
            cfg.grade
                .synonyms
                .iter()
                .filter(|(_, b)| b.as_str() == band)
                .map(|(w, _)| w.as_str()),
        )
        .collect();
    let score_sentence = out
        .facts
        .iter()
        .find(|f| f.field == Field::ScoreTotal.name())
        .and_then(|f| usize::try_from(f.provenance.char_start).ok())
        .map(|ci| doc.sentence_of(doc.clean.byte_of_char(ci)));
    let sentences = doc
        .sentences
        .iter()
        .copied()
        .filter(|&(s, _)| doc.under(s, SectionKind::TotalScore))
        .chain(score_sentence);
    for (s, e) in sentences {
        let sentence = doc.text.get(s..e).unwrap_or_default();
        // Most sentences deny nothing: one automaton pass says so.
        if !doc.lex.grade_denial.any_in(sentence) {
            continue;
        }
        for w in &cfg.grade.denial_words {
            for (i, _) in sentence.match_indices(w.as_str()) {
                let rest = sentence[i + w.len()..].trim_start_matches(['“', '"', ' ']);
                if let Some(name) = names.iter().find(|n| rest.starts_with(**n)) {
                    return Some(format!("{w}{name}"));
                }
            }
        }
    }
    None
}

/// An indicator's section is the heading above it; a section heading missed
/// (broken across lines: （二 / ）预算执行情况) puts the next section's
/// indicators under the one before. Their maxima then add up past the
/// section's stated maximum. Where the maxima in text order reach it exactly,
/// the indicators after that point are not the section's; where they pass it
/// without reaching it, none is sure to be. Those lose their section (empty,
/// written as null) and a check says why.
fn overfull_sections(doc: &Doc, cfg: &Config, out: &mut ReportFacts) {
    for section in cfg.score.sections_in(doc.scheme) {
        if section.id == Field::ScoreBonus.name() {
            continue;
        }
        let Some(section_max) = section_max(cfg, doc, section) else {
            continue;
        };
        let tops = top_level(&out.indicators, &section.title);
        let found: f64 = tops.iter().filter_map(|i| i.max_score).sum();
        if found <= section_max + 1e-6 {
            continue;
        }
        let mut sum = 0.0;
        let mut boundary = tops.first().map_or(0, |i| i.char_start);
        for (k, i) in tops.iter().enumerate() {
            sum += i.max_score.unwrap_or(0.0);
            if (sum - section_max).abs() < 1e-6 {
                boundary = tops.get(k + 1).map_or(i64::MAX, |n| n.char_start);
                break;
            }
            if sum > section_max {
                break;
            }
        }
        let mut moved = 0;
        for i in out
            .indicators
            .iter_mut()
            .filter(|i| i.section == section.title && i.char_start >= boundary)
        {
            i.section.clear();
            moved += 1;
        }
        out.checks.push(Check {
            check: "indicator_section_overfull".into(),
            severity: Severity::Warning,
            message: format!(
                "“{}”满分 {} 分，归入其下的指标分值合计 {} 分：其中 {} 个指标所属部分不能确定（留空），可能漏读了一个部分标题",
                section.title,
                round6(section_max),
                round6(found),
                moved
            ),
            fields: vec![section.id.clone(), "indicators".into()],
            values: vec![round6(section_max).to_string(), round6(found).to_string()],
        });
    }
}

/// The maximum a section's heading states (预算编制情况（28 分）, 预算编制情况总分
/// 28 分): one value in points, the same wherever the heading appears.
/// Several different values (a heading that also states the score) are no maximum.
/// Whether the text between a section keyword and a points figure makes the
/// figure the section's maximum: a max keyword (总分 28 分) or an open
/// bracket ((28 分). Any other figure there is a score of its own (加分 2 分，
/// 扣分 1 分，最终得分 92 分), so the score word after it is not the section's.
fn states_a_maximum(before: &str, cfg: &Config) -> bool {
    contains_any(before, &cfg.score.max_keywords) || before.rfind('(').is_some_and(|o| !before[o..].contains(')'))
}

fn section_max(cfg: &Config, doc: &Doc, section: &crate::config::ScoreSection) -> Option<f64> {
    let mut max: Option<f64> = None;
    for h in doc.clean.headings.iter().filter(|h| {
        h.level <= 2
            && contains_any(&h.title, &section.keywords)
            && contains_any(&h.title, &cfg.score.section_max_marks)
    }) {
        let para = doc.text.get(h.start..h.para_end).unwrap_or_default();
        let Some(at) = para.find(h.title.as_str()).map(|a| h.start + a) else {
            continue;
        };
        for n in doc.numbers_in(at, at + h.title.len()) {
            if n.unit != Unit::Points {
                continue;
            }
            match max {
                Some(m) if (m - n.value).abs() > 1e-9 => return None,
                _ => max = Some(n.value),
            }
        }
    }
    max
}

/// Whether the section keyword (section `si`) at `start..end` of `text`
/// ends there as a name: what follows it is no CJK char, or a follower
/// (情况, 部分, 指标 …), a score or a max word. A longer word (预算编制合理性,
/// 产出数量, 产出目标) is an indicator's or another thing's name. (What follows
/// the section's title counts where the text goes on from the keyword into
/// it: 预算执行情 in 预算执行情况得分.)
fn names_a_section(cfg: &Config, si: usize, text: &str, start: usize, end: usize) -> bool {
    let ends_name = |rest: &str| {
        !rest.chars().next().is_some_and(crate::normalize::is_cjk)
            || starts_with_any(rest, &cfg.score.section_keyword_followers)
            || starts_with_any(rest, &cfg.score.section_score_words)
            || starts_with_any(rest, &cfg.score.max_keywords)
    };
    let title = cfg.score.sections.get(si).map_or("", |s| s.title.as_str());
    let after_title = text.get(start..).and_then(|t| t.strip_prefix(title));
    text.get(end..).is_some_and(ends_name) || after_title.is_some_and(ends_name)
}

/// The report's scheme, when one of its own sections (not one of every
/// scheme's, the bonus) holds a section score or an indicator.
pub(crate) fn scheme_in_use(cfg: &Config, doc: &Doc, out: &ReportFacts) -> Option<String> {
    let scheme = doc.scheme?;
    let used = cfg
        .score
        .sections
        .iter()
        .filter(|s| s.scheme.as_deref() == Some(scheme))
        .any(|s| {
            Field::from_name(&s.id).is_some_and(|f| out.get(f).is_some())
                || out.indicators.iter().any(|i| i.section == s.title)
        });
    used.then(|| scheme.to_string())
}

/// `before` ends with a section's keyword and a list separator (预算执行、).
fn ends_a_section(scheme: &SchemeSections, before: &str, cfg: &Config) -> bool {
    let Some(rest) = cfg
        .context
        .list_separators
        .iter()
        .find_map(|sep| before.trim_end().strip_suffix(sep.as_str()))
    else {
        return false;
    };
    let rest = rest.trim_end();
    let window = &rest[super::chars_before(rest, rest.len(), 20)..];
    scheme.automaton.find_iter(window).any(|k| k.end() == window.len())
}

/// A report's total: at least `score.min_total` (below is an indicator's), at
/// most 100 plus the bonus cap.
fn plausible_total(cfg: &Config, v: f64) -> bool {
    v >= cfg.score.min_total && v <= 100.0 + cfg.score.bonus_cap
}

/// A scoring table's total row out of 100 (合计 | 100 | 92) is the report's
/// total score, as sure as the conclusion's: it competes at the same priority
/// (a disagreement is null and a check). Its provenance is the row's line in
/// the clean text (the pipeline normalises the row as it does the text); a
/// row not found there is left, as is a total of a part of the scheme (its
/// maximum is not 100).
pub(crate) fn table_total(doc: &Doc, cfg: &Config, t: &crate::model::TableTotal, cands: &mut Candidates) {
    let out_of_100 = t.max_score.is_some_and(|m| (m - 100.0).abs() < 1e-9);
    if !out_of_100 || !plausible_total(cfg, t.score) {
        return;
    }
    let row = t.row.as_str();
    let Some(start) = doc.text.find(row).filter(|_| !row.is_empty()) else {
        return;
    };
    cands.push(Candidate {
        field: Field::ScoreTotal,
        value: Value::Num(t.score),
        priority: 1,
        rule: "score:table-total",
        start,
        end: start + row.len(),
    });
}

#[cfg(test)]
mod tests {
    use crate::model::{Field, Value};

    use crate::extract::facts_of as run;

    /// (section, indicator) of each indicator, in order.
    fn filed(f: &crate::model::ReportFacts) -> Vec<(&str, &str)> {
        f.indicators
            .iter()
            .map(|i| (i.section.as_str(), i.indicator.as_str()))
            .collect()
    }

    const FRAMEWORK: &str = "三、绩效自评情况
（一）决策（20分）
该部分得分18分。
1.目标设定（5分）：目标明确，得5分。
2.预算编制（15分）：编制较为科学，得13分。
（二）过程（20分）
1.资金管理（10分）：得10分。
（三）产出（40分）
1.产出数量（40分）：得37分。
（四）效益（20分）
1.满意度（20分）：得18分。
";

    /// Headings that name four sections of the 决策 / 过程 / 产出 / 效益
    /// scheme score the report under it: its indicators are filed under its
    /// sections (预算编制 under 决策, not the usual scheme's 预算编制情况).
    #[test]
    fn a_report_is_scored_under_the_scheme_its_headings_name() {
        let f = run(FRAMEWORK);
        assert_eq!(
            filed(&f),
            [
                ("决策", "目标设定"),
                ("决策", "预算编制"),
                ("过程", "资金管理"),
                ("产出", "产出数量"),
                ("效益", "满意度")
            ]
        );
        assert_eq!(f.num(Field::ScoreDecision), Some(18.0));
        assert_eq!(f.num(Field::ScoreBudgetPreparation), None);
        assert_eq!(f.score_scheme.as_deref(), Some("决策·过程·产出·效益"));
        // A report with no section score and no indicator names no scheme.
        assert_eq!(run("一、部门概况\n核定编制30名。\n").score_scheme, None);
    }

    /// Under the usual scheme, 产出 in a heading below 资金使用效益 names no
    /// section: the indicators under it stay the usual section's.
    #[test]
    fn another_schemes_keyword_names_no_section() {
        let f = run("三、绩效自评情况
（一）预算编制情况（28分）
（二）预算执行情况（42分）
（三）资金使用效益（30分）
1.产出指标
（1）产出数量（5分）：得5分。
（2）产出质量（5分）：得4分。
");
        let sections: Vec<&str> = f.indicators.iter().map(|i| i.section.as_str()).collect();
        assert_eq!(sections, ["资金使用效益", "资金使用效益"], "{:?}", f.indicators);
        assert_eq!(f.num(Field::ScoreOutput), None);
        assert_eq!(f.score_scheme.as_deref(), Some("预算编制·预算执行·资金使用效益"));
    }

    /// A config whose sections name no scheme (one written before schemes)
    /// reads every section as one scheme, as it did.
    #[test]
    fn a_config_that_names_no_scheme_is_one_scheme() {
        let toml: String = crate::config::DEFAULT_TOML
            .lines()
            .filter(|l| !l.starts_with("scheme = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let rules = crate::config::Rules::from_parts(&toml, crate::config::DEFAULT_REGIONS).unwrap();
        assert!(rules.config.score.schemes().is_empty());
        let usual = "三、绩效自评情况\n（一）预算编制情况（28分）\n该部分得分26分。\n1.目标设置（10分）：得9分。\n";
        let f = crate::extract::facts_with(rules, usual);
        assert_eq!(f.num(Field::ScoreBudgetPreparation), Some(26.0));
        assert_eq!(f.indicators.first().map(|i| i.section.as_str()), Some("预算编制情况"));
    }

    /// A heading that states its score (预算编制情况总分 28 分) names the
    /// indicators under it without the score; a name with no number after
    /// the word keeps it.
    #[test]
    fn a_stated_score_is_not_part_of_a_name() {
        let f = run("（一）预算编制情况总分 28 分，得分 27 分。
1.预算编制：符合要求，得指标分值 18 分。
2.目标设置：符合要求，得指标分值 9 分。
");
        let parents: Vec<Option<&str>> = f.indicators.iter().map(|i| i.parent.as_deref()).collect();
        assert_eq!(
            parents,
            [Some("预算编制情况"), Some("预算编制情况")],
            "{:?}",
            f.indicators
        );
        let words = ["总分".to_string(), "得分".to_string()];
        assert_eq!(super::without_stated_score("目标设置总分 10 分", &words), "目标设置");
        assert_eq!(
            super::without_stated_score("社会满意度得分率", &words),
            "社会满意度得分率"
        );
        // Too little would be left: the name stays as written.
        assert_eq!(super::without_stated_score("总分 10 分", &words), "总分 10 分");
    }

    /// Outside a conclusion, a plain 自评得分 is the total only where its
    /// sentence is about the department's whole spending and the keyword
    /// starts its clause.
    #[test]
    fn a_plain_total_keyword_about_the_whole_spending_is_the_total() {
        let f = run("3.部门整体支出绩效自评开展情况\n本部门对 2017 年整体支出开展绩效自评，自评得分 90 分，存在的问题：一是预算不准。\n");
        assert_eq!(f.num(Field::ScoreTotal), Some(90.0));
        assert_eq!(
            f.fact(Field::ScoreTotal).map(|x| x.provenance.rule.as_str()),
            Some("score:total-of-whole")
        );
        // A section's score in such a sentence, or a keyword inside a clause, is not the total.
        let f = run("部门整体支出中，预算执行情况自评得分 41 分。\n");
        assert_eq!(f.num(Field::ScoreTotal), None);
        let f = run("本部门整体支出绩效较好，其中资金管理自评得分 45 分。\n");
        assert_eq!(f.num(Field::ScoreTotal), None);
        let f = run("本部门对项目开展绩效自评，自评得分 90 分。\n");
        assert_eq!(f.num(Field::ScoreTotal), None);
    }

    /// A scoring table's total row out of 100 gives the total; a text total
    /// that disagrees makes it null and a `conflict` check, never a pick.
    #[test]
    fn a_tables_total_row_is_a_total_and_a_disagreement_is_null() {
        let rules = crate::Rules::bundled().unwrap();
        let extract = |text: &str, total: f64, max: f64| {
            let clean = crate::normalize::Normalizer::new(&rules.config.normalize)
                .unwrap()
                .normalize(text);
            let t = crate::model::TableTotal {
                score: total,
                max_score: Some(max),
                row: format!("合计 | {max} | {total}"),
            };
            super::super::Extractor::new(&rules)
                .unwrap()
                .extract_with(&clean, Vec::new(), &[t])
        };
        let f = extract(
            "指标 | 分值 | 得分\n预算执行率 | 20 | 19.5\n合计 | 100 | 92\n",
            92.0,
            100.0,
        );
        assert_eq!(f.num(Field::ScoreTotal), Some(92.0));
        let f = extract("二、自评结论\n自评得分 95 分。\n合计 | 100 | 92\n", 92.0, 100.0);
        assert_eq!(f.num(Field::ScoreTotal), None);
        assert!(f.checks.iter().any(|c| c.check == "conflict"), "{:?}", f.checks);
        // A part's total (out of 45) is not the report's.
        let f = extract("合计 | 45 | 42\n", 42.0, 45.0);
        assert_eq!(f.num(Field::ScoreTotal), None);
    }

    /// 部门整体支出绩效自评得分 names the department's total wherever it stands;
    /// a bare 自评得分 outside the conclusion may be an indicator's and is left,
    /// unless its sentence is about the whole spending (see below).
    #[test]
    fn the_whole_departments_score_counts_outside_the_conclusion() {
        let f = run("本单位2019年度部门整体支出绩效自评得分为91分，等级为优秀。");
        assert_eq!(f.num(Field::ScoreTotal), Some(91.0));
        let f = run("按照要求，本部门开展了绩效自评，自评得分90分。");
        assert_eq!(f.num(Field::ScoreTotal), None);
        // Two totals outside a conclusion (this year's and last year's) are no pick.
        let f = run("本部门对2017年整体支出开展绩效自评，自评得分90分。2016年整体支出自评得分为85分。");
        assert_eq!(f.num(Field::ScoreTotal), None);
    }

    #[test]
    fn total_in_conclusion_and_derived_grade() {
        let f = run("二、自评结论\n根据评分，得分 95 分，自评优秀。\n三、绩效分析\n（1）预算编制合理性（5 分）。自评得分 5 分。");
        assert_eq!(f.num(Field::ScoreTotal), Some(95.0));
        assert_eq!(f.get(Field::Grade), Some(&Value::Text("优秀".into())));
        assert!(!f.is_derived(Field::Grade));
        let f = run("二、自评结论\n本次部门整体绩效自评总得分为 87.5 分。");
        assert_eq!(f.get(Field::Grade), Some(&Value::Text("良好".into())));
        assert!(f.is_derived(Field::Grade));
    }

    #[test]
    fn indicator_shapes() {
        let text = "三、绩效分析\n（一）预算编制情况（28 分）\n1.预算编制。指标分值 18 分，该指标主要从两方面考核。\n（1）预算编制合理性（5 分）。\n符合要求。自评得分 5 分。\n（2）预算编制规范性（5分）。\n自评得分4分，规范。\n（二）预算执行情况（42 分）\n4.人员管理。无超编。自评得分 2 分。\n（三）资金使用效益\n5.加减分项。\n加分得分3.5分。\n";
        let f = run(text);
        let got: Vec<(&str, &str, Option<f64>, Option<f64>)> = f
            .indicators
            .iter()
            .map(|i| (i.section.as_str(), i.indicator.as_str(), i.max_score, i.score))
            .collect();
        assert_eq!(
            got,
            vec![
                ("预算编制情况", "预算编制合理性", Some(5.0), Some(5.0)),
                ("预算编制情况", "预算编制规范性", Some(5.0), Some(4.0)),
                ("预算执行情况", "人员管理", None, Some(2.0)),
                ("加减分", "加减分项", None, Some(3.5)),
            ]
        );
        // The two indicators found carry 10 of the section's 28 points: 9 is
        // not its score, so none is derived (the check says why).
        assert_eq!(f.num(Field::ScoreBudgetPreparation), None);
        assert!(f
            .checks
            .iter()
            .any(|c| c.check == "section_score_not_derived" && c.values == ["28", "10"]));
        assert_eq!(f.num(Field::ScoreBonus), Some(3.5));
        // No maximum stated for 资金使用效益: no derived section score.
        assert_eq!(f.num(Field::ScoreEffectiveness), None);
    }

    /// （4 / ）政府采购执行率 joined into the text before it: the item is not
    /// found, and the score after it is not the item before's (国库… got 2).
    #[test]
    fn a_score_after_an_item_inside_the_text_is_not_the_item_befores() {
        let text = "（二）预算执行情况（42 分）\n（3）国库集中支付结转结余存量资金效率性（3 分）\n无结转结余存量资金。自评得（4）政府采购执行率（2 分）。\n政府采购执行率良好。自评得分 2 分。\n（5）财务合规性（4 分）。\n自评得分 4 分。\n";
        let got: Vec<(String, Option<f64>)> = run(text)
            .indicators
            .iter()
            .map(|i| (i.indicator.clone(), i.score))
            .collect();
        assert_eq!(got, vec![("财务合规性".to_string(), Some(4.0))]);
        // Whole, each item gets its own score.
        let whole = text.replace("自评得（4）", "自评得分 3 分。\n（4）");
        let got: Vec<Option<f64>> = run(&whole).indicators.iter().map(|i| i.score).collect();
        assert_eq!(got, vec![Some(3.0), Some(2.0), Some(4.0)]);
    }

    /// （二）预算执行情况 missed as a heading (joined into the text before it):
    /// its indicators would sit under 预算编制情况, whose 28 points the maxima
    /// then pass. Those after the point where they reach 28 lose their section.
    #[test]
    fn indicators_past_a_sections_maximum_lose_their_section() {
        let text = "（一）预算编制情况（28 分）\n1.预算编制（18 分）。自评得分 18 分。\n2.目标设置（10 分）。自评得分 9 分。\n目标明确，详见（二）预算执行情况（42 分）\n3.资金管理（22 分）。自评得分 20 分。\n";
        let f = run(text);
        assert_eq!(
            filed(&f),
            vec![
                ("预算编制情况", "预算编制"),
                ("预算编制情况", "目标设置"),
                ("", "资金管理")
            ]
        );
        assert!(f
            .checks
            .iter()
            .any(|c| c.check == "indicator_section_overfull" && c.values == ["28", "50"]));
        // The indicators left are the section's in full: their sum stands.
        assert_eq!(f.num(Field::ScoreBudgetPreparation), Some(27.0));
        // With the heading whole, nothing is moved.
        let f = run(&text.replace("目标明确，详见（二）", "目标明确。\n（二）"));
        assert!(f.indicators.iter().all(|i| !i.section.is_empty()));
        assert!(f.checks.iter().all(|c| c.check != "indicator_section_overfull"));
    }

    /// 3、部门整体 / 支出的效果性: a heading cut inside the prefix the config
    /// strips (部门整体支出的) names nothing; it is no indicator.
    #[test]
    fn a_name_cut_inside_a_stripped_prefix_is_no_indicator() {
        let whole = "（三）资金使用效益（30 分）\n3、部门整体支出的效果性\n一年来，成效明显。自评得分 10 分。\n";
        let names = |t: &str| -> Vec<String> { run(t).indicators.iter().map(|i| i.indicator.clone()).collect() };
        assert_eq!(names(whole), ["效果性"]);
        assert!(names(&whole.replace("部门整体支出的效果性", "部门整体\n支出的效果性")).is_empty());
        assert!(names(&whole.replace("部门整体支出的效果性", "部门整体支出的效\n果性")).is_empty());
    }

    /// A section heading's first paragraph gives its score unless it is an
    /// item's, whose enumerator a letter-spaced PDF may space out.
    #[test]
    fn a_spaced_out_items_score_is_not_its_sections() {
        let text = "（三）资金使用效益\n本部分自评得分 28 分。\n1.经济性。自评得分 6 分。\n";
        assert_eq!(run(text).num(Field::ScoreEffectiveness), Some(28.0));
        let spaced = "（三）资金使用效益\n1 . 经济性。自评得分 6 分。\n";
        assert_eq!(run(spaced).num(Field::ScoreEffectiveness), None);
    }

    /// 得指标分值 10 分 states the score; in one sentence with the name (its
    /// full stops written as `.`), it is not also the maximum.
    #[test]
    fn a_score_statement_is_not_a_maximum() {
        let text = "（一）预算编制情况\n2.目标设置：主要从绩效目标合理性进行考核.符合要求，得指标分值 10 分.\n";
        let f = run(text);
        let got: Vec<(Option<f64>, Option<f64>)> = f.indicators.iter().map(|i| (i.max_score, i.score)).collect();
        assert_eq!(got, vec![(None, Some(10.0))]);
        let stated = "（一）预算编制情况\n2.目标设置：指标分值 10 分，符合要求，得指标分值 9 分。\n";
        let got: Vec<(Option<f64>, Option<f64>)> =
            run(stated).indicators.iter().map(|i| (i.max_score, i.score)).collect();
        assert_eq!(got, vec![(Some(10.0), Some(9.0))]);
        // 考核分值得 1 分 (a sub-item's score, full stops lost) holds 分值 too,
        // and 扣减指标分值 1 分 is a deduction.
        let run_on = "（二）预算执行情况\n3.资产管理:明确了责任人从指标资产配置合规性的资产管理来看,符合得指标分值 6 分其中资产配置合规性指标考核分值得 1 分,所以扣减指标分值 1 分\n";
        let got: Vec<(Option<f64>, Option<f64>)> =
            run(run_on).indicators.iter().map(|i| (i.max_score, i.score)).collect();
        assert!(got.iter().all(|&(max, _)| max.is_none()), "{got:?}");
    }

    /// Last year's score and grade, and a band's bound in the scoring rules,
    /// are not this year's score.
    #[test]
    fn last_years_score_and_a_bands_bound_are_no_score() {
        let conclusion = |body: &str| run(&format!("二、绩效自评结论\n{body}\n"));
        let f = conclusion("上年度自评得分 92 分，等级为优秀。");
        assert_eq!((f.num(Field::ScoreTotal), f.get(Field::Grade)), (None, None));
        for rule in [
            "评分标准：自评得分 90 分以上为优秀，80-90 分为良好。",
            "目标自评得分 90 分以上。",
            "总得分 90 分(含)以上的为优秀。",
            "自评得分 90 分左右。",
            "自评得分 90 分至 95 分。",
            "自评得分 90 分~95 分之间。",
        ] {
            assert_eq!(conclusion(rule).num(Field::ScoreTotal), None, "{rule}");
        }
        // The projects' score is not the department's.
        assert_eq!(conclusion("项目支出绩效自评得分 92 分。").num(Field::ScoreTotal), None);
        assert_eq!(
            conclusion("部门整体支出（含项目支出）绩效自评得分 92 分。").num(Field::ScoreTotal),
            Some(92.0)
        );
        // An item's, and a section's, last-year score beside this year's.
        let f = run("三、绩效分析\n（一）预算编制情况（满分 20 分）\n1.目标设置（10 分）：绩效目标明确，得 9 分。\n2.预算编制（10 分）：上年得分 8 分，本年得 10 分。\n");
        let got: Vec<(String, Option<f64>)> = f.indicators.iter().map(|i| (i.indicator.clone(), i.score)).collect();
        assert!(got.contains(&("预算编制".to_string(), Some(10.0))), "{got:?}");
        assert_ne!(f.num(Field::ScoreBudgetPreparation), Some(8.0));
        let f = conclusion("本年度自评得分 95 分，较上年提高 3 分，等级为优秀。");
        assert_eq!(f.num(Field::ScoreTotal), Some(95.0));
        assert_eq!(f.get(Field::Grade), Some(&Value::Text("优秀".into())));
    }

    /// A target, the region's average and last year's score (also under a
    /// strong keyword outside the conclusion) are not this year's total; a
    /// grade in a target's sentence is no grade; 优 and 良 alone are grades.
    #[test]
    fn targets_region_averages_and_last_years_strong_scores_are_no_total() {
        let conclusion = |body: &str| run(&format!("二、绩效自评结论\n{body}\n"));
        for text in ["目标是自评得分95分。", "全市部门平均自评得分为88分，本部门为92分。"] {
            assert_eq!(conclusion(text).num(Field::ScoreTotal), None, "{text}");
        }
        let f = conclusion("力争下一年度自评得分达到95分，等级为优秀。");
        assert_eq!((f.num(Field::ScoreTotal), f.get(Field::Grade)), (None, None));
        let overview = |body: &str| run(&format!("二、部门概况\n{body}\n"));
        for text in [
            "上年度整体支出绩效自评得分90分。",
            "下一年度整体支出绩效自评得分目标为95分。",
            "全市部门整体支出绩效自评得分平均为88分。",
        ] {
            assert_eq!(overview(text).num(Field::ScoreTotal), None, "{text}");
        }
        assert_eq!(
            overview("本部门整体支出绩效自评得分90分。").num(Field::ScoreTotal),
            Some(90.0)
        );
        let f = conclusion("本部门自评得分92分，评价等级为“良”。");
        assert_eq!(f.get(Field::Grade), Some(&Value::Text("良好".into())));
        assert!(!f.is_derived(Field::Grade));
        let f = conclusion("自评得分92分，评价等级为优。");
        assert_eq!(f.get(Field::Grade), Some(&Value::Text("优秀".into())));
        // 达到预期绩效目标 is no target: the grade after it is stated.
        let f = conclusion("达到预期绩效目标，得分 95 分，自评优秀。");
        assert_eq!(f.get(Field::Grade), Some(&Value::Text("优秀".into())));
        assert!(!f.is_derived(Field::Grade));
    }

    /// A rule's case (目标明确的得 5 分) is not the item's score, and an
    /// estimate (预计得分) is no section score; 本指标的得分为 5 分 is a score.
    #[test]
    fn a_rules_case_and_an_estimate_are_no_item_or_section_score() {
        let head = "三、绩效自评情况\n（一）预算编制情况（满分20分）\n";
        let item = |body: &str| -> Vec<(String, Option<f64>)> {
            run(&format!("{head}1.目标设置（5分）：{body}\n"))
                .indicators
                .iter()
                .map(|i| (i.indicator.clone(), i.score))
                .collect()
        };
        let target = |v: f64| vec![("目标设置".to_string(), Some(v))];
        assert_eq!(
            item("目标明确的得5分；目标不明确的，每项扣1分。自评得4分。"),
            target(4.0)
        );
        assert_eq!(item("完成者得5分，未完成不得分。自评得3分。"), target(3.0));
        assert_eq!(item("目标明确，本指标的得分为5分。"), target(5.0));
        let f = run("三、绩效自评情况\n（一）预算编制情况（20分）：预计得分18分。\n");
        assert_eq!(f.num(Field::ScoreBudgetPreparation), None);
        let f = run("三、绩效自评情况\n（一）预算编制情况（20分）：得分18分。\n");
        assert_eq!(f.num(Field::ScoreBudgetPreparation), Some(18.0));
    }

    /// 自评得分1 0分: an item's score broken by a space is unreadable, and
    /// the next item's (its enumerator broken too) is not taken instead.
    #[test]
    fn an_items_score_broken_by_a_space_is_not_replaced_by_the_next_ones() {
        let scores = |text: &str| -> Vec<(String, Option<f64>)> {
            run(text)
                .indicators
                .iter()
                .map(|i| (i.indicator.clone(), i.score))
                .collect()
        };
        for broken in ["自评得分1 0分", "得指标分值 1 0 分"] {
            let text = format!("（三）资金使用效益\n3.效果性。{broken},各项目标达成。\n4 .公平性。自评得分5分。\n");
            assert!(
                scores(&text).iter().all(|(name, _)| name != "效果性"),
                "{broken}: {:?}",
                scores(&text)
            );
        }
        let whole = "（三）资金使用效益\n3.效果性。自评得分10分,各项目标达成。\n4 .公平性。自评得分5分。\n";
        assert!(
            scores(whole).contains(&("效果性".to_string(), Some(10.0))),
            "{:?}",
            scores(whole)
        );
    }

    /// 部门预算执行及时均衡自评得分 3 分: a section's keyword inside a
    /// phrase of an item's prose (its full stops lost) states no section
    /// score; at a sentence's start, or right before its score word, it does.
    #[test]
    fn a_section_keyword_inside_prose_states_no_section_score() {
        let text = "（二）预算执行情况（42 分）\n（1）部门预算资金支出率（3 分）\n实际支出进度和既定支付进度相匹配,部门预算执行及时均衡自评得分 3 分\n";
        assert_eq!(run(text).num(Field::ScoreBudgetExecution), None);
        let text = "（二）预算执行情况（满分 40 分）\n预算执行进度均衡，得分 38 分。\n";
        assert_eq!(run(text).num(Field::ScoreBudgetExecution), Some(38.0));
        let text = "三、绩效分析\n本部门预算执行得分 38 分。\n";
        assert_eq!(run(text).num(Field::ScoreBudgetExecution), Some(38.0));
    }

    /// 从经济性的指标分值来看 … 得指标分值 6 分: the score after an introducer
    /// is its indicator's. With the next introducer's name broken across
    /// paragraphs, its score is nobody's, not the one before's (总体 got 6).
    #[test]
    fn an_introducer_broken_by_a_paragraph_ends_the_search_before_it() {
        let whole = "（三）资金使用效益\n从总体资金使用效益的指标分值来看，符合得指标总分值 31 分。其中：从经济性的指标分值来看，厉行节约。得指标分值 6 分。从效率性的指标分值来看，完成率高，得指标分值 9 分。\n";
        let names = |text: &str| -> Vec<(String, Option<f64>)> {
            run(text)
                .indicators
                .iter()
                .map(|i| (i.indicator.clone(), i.score))
                .collect()
        };
        let want = vec![("经济性".to_string(), Some(6.0)), ("效率性".to_string(), Some(9.0))];
        assert_eq!(names(whole), want);
        // As a PDF broke it: ` 31 分。其中：从经济` reads as a key-value line
        // and is not joined with the next.
        let broken = whole.replace("总分值 31 分。其中：从经济性的", "总分值\n 31 分。其中：从经济\n\n性的");
        assert_eq!(names(&broken), vec![("效率性".to_string(), Some(9.0))]);
    }

    /// A section's indicators found in full: their maxima add up to the
    /// section's (28 = 18 + 10 over two groups), so their sum is its score.
    const FULL_PREPARATION: &str = "（一）预算编制情况（28 分）\n1.预算编制。指标分值 18 分。\n（1）预算编制合理性（10 分）。自评得分 9 分。\n（2）预算编制规范性（8 分）。自评得分 8 分。\n2.目标设置。指标分值 10 分。\n（1）绩效目标合理性（10 分）。自评得分 7 分。\n";

    #[test]
    fn a_section_score_is_summed_when_the_maxima_show_every_indicator_found() {
        let f = run(FULL_PREPARATION);
        assert_eq!(f.num(Field::ScoreBudgetPreparation), Some(24.0));
        assert!(f.is_derived(Field::ScoreBudgetPreparation));
        assert!(f.checks.iter().all(|c| c.check != "section_score_not_derived"));
    }

    #[test]
    fn a_section_missing_an_indicator_gets_no_sum_but_a_check() {
        // 预算编制规范性 lost (say, its heading broken across lines): the
        // indicators found carry 20 of 28 points, and 16 would be a wrong score.
        let text = FULL_PREPARATION.replace("（2）预算编制规范性（8 分）。自评得分 8 分。\n", "");
        let f = run(&text);
        assert_eq!(f.num(Field::ScoreBudgetPreparation), None);
        let check = f
            .checks
            .iter()
            .find(|c| c.check == "section_score_not_derived")
            .expect("a check says why the section has no score");
        assert_eq!(check.values, ["28", "20"]);
        assert_eq!(check.severity, crate::model::Severity::Info);
    }

    /// Indicators that state no maximum (4.人员管理。…自评得分 2 分): the sums
    /// stand when, with the bonus, they give the report's stated total.
    #[test]
    fn sums_without_maxima_stand_only_when_the_sections_give_the_total() {
        let body = "（一）预算编制情况（30 分）\n1.预算编制。得分 18 分。\n2.目标设置。得分 10 分。\n（二）预算执行情况（40 分）\n1.资金管理。得分 35 分。\n（三）资金使用效益（30 分）\n1.经济性。得分 25 分。\n";
        let f = run(&format!("二、自评结论\n自评得分 88 分。\n三、指标分析\n{body}"));
        assert_eq!(f.num(Field::ScoreBudgetPreparation), Some(28.0));
        assert_eq!(f.num(Field::ScoreBudgetExecution), Some(35.0));
        assert_eq!(f.num(Field::ScoreEffectiveness), Some(25.0));
        assert!(f.is_derived(Field::ScoreBudgetExecution));
        // A total the sums do not give (an indicator missed somewhere): none stands.
        let f = run(&format!("二、自评结论\n自评得分 92 分。\n三、指标分析\n{body}"));
        for field in [
            Field::ScoreBudgetPreparation,
            Field::ScoreBudgetExecution,
            Field::ScoreEffectiveness,
        ] {
            assert_eq!(f.num(field), None, "{field:?}");
        }
        assert_eq!(
            f.checks
                .iter()
                .filter(|c| c.check == "section_score_not_derived")
                .count(),
            3
        );
        // No total at all: nothing to prove them by.
        let f = run(&format!("三、指标分析\n{body}"));
        assert_eq!(f.num(Field::ScoreBudgetExecution), None);
    }

    #[test]
    fn stated_section_scores_and_rules_in_brackets() {
        let f = run("（一）预算编制情况总分 28 分，得分 28 分。\n（三）资金使用效益总分 30 分，得分 30 分，加减分项得分 1 分，共得分 31 分。\n2. 加减分项。该项指标反映表彰情况（省韶表彰各得 1 分，最多得 3 分）。\n");
        assert_eq!(f.num(Field::ScoreBudgetPreparation), Some(28.0));
        assert_eq!(f.num(Field::ScoreEffectiveness), Some(30.0));
        assert_eq!(f.num(Field::ScoreBonus), Some(1.0));
        assert!(f.indicators.iter().all(|i| i.indicator != "加减分项"));
    }

    #[test]
    fn score_words_and_maximum_marks_come_from_the_config() {
        use crate::extract::facts_with_config_line as with;
        // A section's own score after another word (评分) only when the config says so.
        let text = "（一）预算编制情况总分 28 分，评分 26 分。\n";
        assert_eq!(run(text).num(Field::ScoreBudgetPreparation), None);
        let f = with(
            r#"section_score_words = ["得分"]"#,
            r#"section_score_words = ["得分", "评分"]"#,
            text,
        );
        assert_eq!(f.num(Field::ScoreBudgetPreparation), Some(26.0));
        // A heading that states its maximum (分)) lets its indicators be summed; without the mark, not.
        let text = "三、绩效分析\n（一）预算编制情况（5 分）\n（1）预算编制合理性（5 分）。\n自评得分 5 分。\n";
        assert_eq!(run(text).num(Field::ScoreBudgetPreparation), Some(5.0));
        let f = with(
            r#"section_max_marks = ["分)", "总分"]"#,
            r#"section_max_marks = ["总分"]"#,
            text,
        );
        assert_eq!(f.num(Field::ScoreBudgetPreparation), None);
        // `得分是 5 分`: 是 may stand between the word and its score; without it in the config, not.
        let text = "三、绩效分析\n（一）预算编制情况（28 分）\n（1）预算编制合理性（5 分）。\n自评得分是 5 分。\n";
        assert_eq!(run(text).indicators.first().and_then(|i| i.score), Some(5.0));
        let f = with(
            r#"copula_words = ["为", ":", "是"]"#,
            r#"copula_words = ["为", ":"]"#,
            text,
        );
        assert!(f.indicators.is_empty(), "{:?}", f.indicators);
    }

    #[test]
    fn bonus_none_is_zero() {
        let f = run("2. 加减分项。该项指标反映表彰情况。加分项总分为 5 分。\n无\n三、主要绩效\n");
        assert_eq!(f.num(Field::ScoreBonus), Some(0.0));
    }
}
