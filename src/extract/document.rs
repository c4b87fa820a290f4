//! Who and when: the department's name, the evaluated year, and the listed problems.

use rustc_hash::FxHashMap as HashMap;

use aho_corasick::AhoCorasick;

use super::{automaton, contains_any, ends_with_any, starts_with_any, trailing_aside, Candidate, Doc, SectionKind};
use crate::config::Config;
use crate::extract::amount::Unit;
use crate::extract::region::{RegionMatcher, TextRegions};
use crate::model::{Field, Value};
use crate::normalize::{heading_level, is_cjk};

pub(crate) struct DocumentMatcher {
    /// Cover-page labels (部门名称 …), found where they stand before a colon.
    labels: Vec<String>,
    /// The last char of every label.
    label_ends: Vec<char>,
    suffixes: Vec<String>,
    /// The last char of every suffix.
    suffix_ends: Vec<char>,
    stops: AhoCorasick,
    /// The zeros of a year in Chinese numerals (二〇二三年): one automaton
    /// pass, as `str::match_indices` of a CJK char runs memchr on its last
    /// byte, a byte most CJK chars end with.
    zeros: AhoCorasick,
}

impl DocumentMatcher {
    pub fn new(cfg: &Config) -> Result<Self, aho_corasick::BuildError> {
        let mut suffixes = cfg.department.suffixes.clone();
        suffixes.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        let mut suffix_ends: Vec<char> = suffixes.iter().filter_map(|s| s.chars().next_back()).collect();
        suffix_ends.sort_unstable();
        suffix_ends.dedup();
        let mut label_ends: Vec<char> = cfg
            .department
            .labels
            .iter()
            .filter_map(|s| s.chars().next_back())
            .collect();
        label_ends.sort_unstable();
        label_ends.dedup();
        Ok(DocumentMatcher {
            labels: cfg.department.labels.clone(),
            label_ends,
            suffixes,
            suffix_ends,
            stops: automaton(&cfg.department.stop_words)?,
            zeros: automaton(CHINESE_ZEROS.map(String::from))?,
        })
    }

    /// The evaluated year: `YYYY年度部门整体…` first, else the most frequent
    /// `YYYY年` that is not a date (填报日期 2024年5月21日 is when it was written).
    pub fn fiscal_year(&self, doc: &Doc, cfg: &Config) -> Option<Candidate> {
        let mut strong: Vec<(i32, usize, usize)> = Vec::new();
        // 评价年度为2023年, 报告年度：2023 (a bare figure there is a year too).
        let mut labelled: Vec<(i32, usize, usize)> = Vec::new();
        let mut counts: HashMap<i32, (usize, usize, usize)> = HashMap::default();
        // A title's year broken by a space (20 20 年部门预算 beside 2019年部门决算)
        // cannot be read, but its last digits can: a title year they do not
        // end (2019 for …20) is not taken for the report's alone.
        let mut cut_title_years: Vec<&str> = Vec::new();
        for n in &doc.numbers {
            let y = n.value as i32;
            let in_range = n.value.fract() == 0.0 && y >= cfg.year.min && y <= cfg.year.max;
            if in_range && matches!(n.unit, Unit::Year | Unit::Bare) {
                let before = cfg
                    .context
                    .trim_copulas_end(doc.text.get(..n.start).unwrap_or_default());
                if ends_with_any(before, &cfg.year.label_words) {
                    labelled.push((y, n.start, n.end));
                }
            }
            let is_year = n.unit == Unit::Year && n.value.fract() == 0.0 && y >= cfg.year.min && y <= cfg.year.max;
            if !is_year {
                let after = doc.text.get(n.end..).unwrap_or_default().trim_start();
                let titled = after.strip_prefix('年').is_some_and(|t| {
                    cfg.year
                        .strong_after
                        .iter()
                        .any(|s| t.trim_start().starts_with(s.as_str()))
                });
                // (近 3 年部门预算 is no year cut; 202 3 年部门整体 is.)
                if titled && crate::extract::amount::spaced_from_digits(doc.text, n.start, n.digits_end) {
                    cut_title_years.extend(doc.text.get(n.start..n.digits_end));
                }
                continue;
            }
            let after = &doc.text[n.end..];
            let after_trim = after.trim_start();
            // A date (2024年5月21日, 2020 年 12 月 31 日) says when, not which year.
            // (Only the first few bytes can hold `5月`: no scan to the next 月 of the text.)
            let window = &after_trim[..super::floor_boundary(after_trim, 3 + '月'.len_utf8())];
            let is_date = window.split_once('月').is_some_and(|(m, _)| {
                // (0 5月: a month a space cut is a month all the same.)
                m.chars().any(|c| c.is_ascii_digit())
                    && m.chars().all(|c| c.is_ascii_digit() || c == ' ')
                    && m.len() <= 3
            });
            if is_date {
                continue;
            }
            // 2023-2024年度: a span of years, of which neither end is surely the one evaluated.
            let starts_a_span = doc.numbers_in(n.end, doc.text.len()).first().is_some_and(|next| {
                let between = doc.text.get(n.end..next.start).unwrap_or_default().trim_matches(' ');
                next.unit == Unit::Year && cfg.context.range_words.iter().any(|w| w == between)
            });
            if starts_a_span || ends_a_span(doc.text, n.start, &cfg.context.range_words) {
                continue;
            }
            tally_year(doc, cfg, (y, n.start, n.end), &mut strong, &mut counts);
        }
        // 二〇二三年度部门整体…: a year in Chinese numerals on the cover or in
        // the title, read as the same year in digits is (a date, 二〇二四年
        // 三月, says when, not which year). (The body is not searched: a CJK
        // text defeats the automaton's prefilter, and its years are in digits.)
        let head = doc
            .text
            .get(..doc.cover_end().min(super::chars_after(doc.text, 0, 300)))
            .unwrap_or_default();
        for (y, start, end) in chinese_years(head, &self.zeros) {
            let after = doc.text.get(end..).unwrap_or_default().trim_start();
            let is_date = after.starts_with(|c: char| c.is_ascii_digit() || c == '十' || chinese_digit(c).is_some());
            if (cfg.year.min..=cfg.year.max).contains(&y) && !is_date {
                tally_year(doc, cfg, (y, start, end), &mut strong, &mut counts);
            }
        }
        let pick = |list: &[(i32, usize, usize)]| -> Option<(i32, usize, usize)> {
            let first = *list.first()?;
            list.iter().all(|c| c.0 == first.0).then_some(first)
        };
        let fits_cut_titles = |&(y, _, _): &(i32, usize, usize)| {
            let y = y.to_string();
            cut_title_years.iter().all(|d| y.ends_with(d.trim()))
        };
        if let Some((y, s, e)) = pick(&labelled) {
            return Some(Candidate {
                field: Field::FiscalYear,
                value: Value::Int(i64::from(y)),
                priority: 1,
                rule: "year:label",
                start: s,
                end: e,
            });
        }
        if let Some((y, s, e)) = pick(&title_years(doc, cfg))
            .or_else(|| pick(&strong))
            .filter(fits_cut_titles)
        {
            return Some(Candidate {
                field: Field::FiscalYear,
                value: Value::Int(i64::from(y)),
                priority: 1,
                rule: "year:title",
                start: s,
                end: e,
            });
        }
        let mut ranked: Vec<(i32, (usize, usize, usize))> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        let (y, (count, s, e)) = *ranked.first()?;
        if ranked.get(1).is_some_and(|r| r.1 .0 == count) || !fits_cut_titles(&(y, s, e)) {
            return None;
        }
        Some(Candidate {
            field: Field::FiscalYear,
            value: Value::Int(i64::from(y)),
            priority: 0,
            rule: "year:most-frequent",
            start: s,
            end: e,
        })
    }

    /// The department: a cover-page label, else the title, else the most
    /// frequent organisation name that starts with a place name.
    pub fn department(
        &self,
        doc: &Doc,
        region: &RegionMatcher,
        regions: &TextRegions,
        cfg: &Config,
    ) -> Option<Candidate> {
        let rules = &cfg.department;
        let valid = |s: &str| {
            let n = s.chars().count();
            n >= rules.min_chars && n <= rules.max_chars && self.suffixes.iter().any(|x| s.ends_with(x.as_str()))
        };
        // 1. 部门名称：乐昌市人民政府办公室 — a label, not the same words inside
        // prose: the colons are few, so they are found first (memchr) and the
        // words before each compared with the labels. A table's cell border
        // stands for the colon (部门名称 | 湘潭市岳塘区财政局, a worksheet's row),
        // after the colons. (Two memchr scans: a set of chars is searched for
        // one char at a time.)
        for (colon, _) in doc.text.match_indices(':').chain(doc.text.match_indices('|')) {
            let before = doc.text[..colon].trim_end_matches(' ');
            // Most separators follow no label: their char before ends none.
            if !before.ends_with(|c: char| c == ')' || self.label_ends.contains(&c)) {
                continue;
            }
            if !ends_with_any(before, &self.labels) {
                // 填报单位（盖章）：… — a short aside between the label and its colon.
                let aside = trailing_aside(before).filter(|(_, inner)| inner.chars().count() <= 4);
                let Some((label, _)) = aside else { continue };
                let label = label.trim_end_matches(' ');
                if !ends_with_any(label, &self.labels) {
                    continue;
                }
            }
            let rest = &doc.text[colon + 1..];
            let rest = rest.trim_start_matches([' ', '(', ')']);
            let value: String = rest
                .chars()
                .take_while(|&c| is_cjk(c) || c == '(' || c == ')')
                .collect();
            // 部门名称：乐昌市人民政府 / 办公室单位负责人：…: a value that fills
            // its line, where the next line's first chars would lengthen it
            // into a name, may be cut (a PDF text run broken), so the label
            // is not read for it; the title and the mentions still are.
            if let Some(next_line) = rest.get(value.len()..).and_then(|a| a.strip_prefix('\n')) {
                let mut longer = value.clone();
                let cut = next_line
                    .chars()
                    .take_while(|&c| is_cjk(c))
                    .take(rules.name_fragment_max_chars)
                    .any(|c| {
                        longer.push(c);
                        self.suffixes.iter().any(|x| longer.ends_with(x.as_str()))
                    });
                if cut {
                    continue;
                }
            }
            let value = self.trim_to_suffix(&value);
            if valid(value) {
                let start = doc.text.len() - rest.len();
                return Some(cand(doc, 3, "department:label", start, start + value.len()));
            }
        }
        // 2. The title line: 广州市从化区吕田镇人民政府 2023 年 部门整体支出绩效自评报告
        let head_end = doc.cover_end();
        for (s, e, line) in title_lines(doc, cfg) {
            // 2022年度湘潭县财政局部门整体支出…: the name follows the year, and
            // ends before the first cut word, title word or digit after it.
            let year = year_prefix_len(line);
            let cut = if year > 0 {
                let rest = &line[year..];
                let at = |words: &[String]| words.iter().filter_map(|w| rest.find(w.as_str())).min();
                [
                    rest.find(|c: char| c.is_ascii_digit()),
                    at(&rules.title_cut_words),
                    at(&rules.title_words),
                ]
                .into_iter()
                .flatten()
                .min()
                .map_or(year, |c| year + c)
            } else {
                // The first digit or cut word, whichever comes first: a page
                // number joined on after the title (…办事处部门整体…报告— 12 —)
                // must not move the cut past 部门整体. (A cut word that starts
                // the line is 关于, which the name follows.)
                let cut_word = rules
                    .title_cut_words
                    .iter()
                    .filter_map(|w| line.find(w.as_str()))
                    .filter(|&at| at > 0)
                    .min();
                [line.find(|c: char| c.is_ascii_digit()), cut_word]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or(0)
            };
            // 关于XX局2022年度…的报告: the name follows 关于.
            let lead_full = &line[year..cut];
            let lead = lead_full.trim();
            let skip = rules
                .title_name_after
                .iter()
                .find(|w| lead.starts_with(w.as_str()))
                .map_or(0, String::len);
            let name = self.trim_to_suffix(&lead[skip..]);
            let begin = s + year + (lead_full.len() - lead_full.trim_start().len()) + skip;
            if valid(name) && region.starts_with_region(name) {
                return Some(cand(doc, 2, "department:title", begin, begin + name.len()));
            }
            // The name alone on the line above the title, or, under a title
            // that names no one (关于2023年度部门整体支出绩效自评的报告), below it.
            if lead[skip..].trim().is_empty() {
                let above = (s > 0).then(|| doc.clean.paragraph(s - 1));
                let below = (e < head_end).then(|| doc.clean.paragraph(e + 1));
                for (ps, pe) in above.into_iter().chain(below) {
                    let line = doc.text.get(ps..pe).unwrap_or_default();
                    let name = self.trim_to_suffix(line.trim());
                    if name.len() == line.trim().len() && valid(name) && region.starts_with_region(name) {
                        let at = ps + (line.len() - line.trim_start().len());
                        return Some(cand(doc, 2, "department:title", at, at + name.len()));
                    }
                }
            }
        }
        // 3. Organisation names that start with a region (中共乐昌市委办公室).
        let mut counts: HashMap<&str, (usize, usize)> = HashMap::default();
        for (start, region_end) in region.region_starts(regions) {
            let mut s = start;
            for p in &rules.prefixes {
                if doc.text[..s].ends_with(p.as_str()) {
                    s -= p.len();
                }
            }
            let run_end = doc.text[s..]
                .char_indices()
                .find(|&(_, c)| !is_cjk(c))
                .map_or(doc.text.len(), |(i, _)| s + i);
            let mut run = &doc.text[s..run_end];
            // Cut at the first stop word after the region name itself.
            let skip = (region_end - s).min(run.len());
            if let Some(m) = self.stops.find(run.get(skip..).unwrap_or("")) {
                run = &run[..skip + m.start()];
            }
            let name = self.trim_to_suffix(run);
            if valid(name) {
                let e = counts.entry(name).or_insert((0, s));
                e.0 += 1;
            }
        }
        // 中共X counts for X as well: the formal name absorbs its short form.
        let names: Vec<&str> = counts.keys().copied().collect();
        for full in &names {
            for p in &rules.prefixes {
                if let Some(short) = full.strip_prefix(p.as_str()) {
                    if let Some(&(n, _)) = counts.get(short) {
                        if let Some(e) = counts.get_mut(*full) {
                            e.0 += n;
                        }
                    }
                }
            }
        }
        let mut ranked: Vec<(&str, (usize, usize))> = counts.into_iter().collect();
        ranked.sort_by(|a, b| {
            b.1 .0
                .cmp(&a.1 .0)
                .then(b.0.chars().count().cmp(&a.0.chars().count()))
                .then(a.1 .1.cmp(&b.1 .1))
        });
        let (name, (count, pos)) = ranked.into_iter().next()?;
        if count < 2 {
            return None;
        }
        Some(cand(doc, 1, "department:mentions", pos, pos + name.len()))
    }

    /// The longest prefix of `s` that ends with an organisation suffix.
    fn trim_to_suffix<'s>(&self, s: &'s str) -> &'s str {
        let mut best = 0;
        for (i, c) in s.char_indices() {
            // Most chars end no suffix: skip the suffix list for them.
            if self.suffix_ends.binary_search(&c).is_err() {
                continue;
            }
            let end = i + c.len_utf8();
            if self.suffixes.iter().any(|x| s[..end].ends_with(x.as_str())) {
                best = end;
            }
        }
        &s[..best]
    }

    /// The `[[document_kinds]]` entry the title names (the text before the
    /// first heading), if any.
    pub fn title_kind<'c>(&self, doc: &Doc, cfg: &'c Config) -> Option<&'c crate::config::DocumentKind> {
        let head_end =
            super::chars_after(doc.text, 0, 300).min(doc.cover_end().max(super::chars_after(doc.text, 0, 60)));
        let head = &doc.text[..head_end];
        cfg.document_kinds
            .iter()
            .filter(|k| !contains_any(head, &k.unless_title))
            .filter_map(|k| {
                k.title
                    .iter()
                    .filter_map(|w| head.find(w.as_str()))
                    .min()
                    .map(|p| (p, k))
            })
            .min_by_key(|(p, _)| *p)
            .map(|(_, k)| k)
    }

    /// The items under 存在问题: the enumerated entries, or the paragraph itself.
    pub fn problems(&self, doc: &Doc, cfg: &Config) -> Vec<String> {
        let heads = &doc.clean.headings;
        // The most specific heading that names the problems.
        let Some((hi, h)) = heads
            .iter()
            .enumerate()
            .filter(|&(i, _)| doc.title_is(i, SectionKind::Problems))
            .max_by_key(|(_, h)| (h.level, h.start))
        else {
            return Vec::new();
        };
        let end = heads[hi + 1..]
            .iter()
            .find(|o| o.level <= h.level)
            .map_or(doc.text.len(), |o| o.start);
        let end = closing_start(doc.text, h.para_end.min(end), end, &cfg.problems.closing_starts);
        let children: Vec<&crate::normalize::Heading> = heads[hi + 1..]
            .iter()
            .take_while(|o| o.start < end)
            .filter(|o| o.level > h.level)
            .collect();
        let cap = |s: &str| -> String { s.chars().take(cfg.problems.max_item_chars).collect() };
        let mut items = Vec::new();
        if !children.is_empty() {
            // The items are the leaves: （一）预算编制方面 with 1. 2. under it
            // lists those two, not one item that runs them together.
            let same: Vec<&&crate::normalize::Heading> = children
                .iter()
                .enumerate()
                .filter(|&(i, c)| children.get(i + 1).is_none_or(|n| n.level <= c.level))
                .map(|(_, c)| c)
                .collect();
            for c in &same {
                let item_end = children.iter().find(|n| n.start > c.start).map_or(end, |n| n.start);
                let body = &doc.text[c.start..item_end];
                let body = heading_level(body).map_or(body, |(_, len)| &body[len..]);
                let body = body.trim().replace('\n', "");
                if !body.is_empty() {
                    items.push(cap(&body));
                }
            }
        } else {
            let body_start = (h.para_end + 1).min(end);
            // Problems stated in the heading's own paragraph (存在问题：…) count too.
            let own = &doc.text[h.start..h.para_end];
            let own_body = heading_level(own).map_or(own, |(_, len)| &own[len..]);
            let own_rest = own_body.split_once('。').map(|(_, r)| r.trim()).unwrap_or("");
            let body = doc.text[body_start..end].trim();
            let text = if !body.is_empty() { body } else { own_rest };
            let rules = &cfg.problems;
            for para in text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                let p = para.trim_end_matches('。');
                if cfg.context.zero_words.iter().any(|z| z == p) {
                    continue;
                }
                // 本部门不存在问题。: a statement that there is none.
                if p.chars().count() <= rules.none_statement_max_chars && contains_any(p, &rules.none_statements) {
                    continue;
                }
                // 存在问题：1、…；2、…: the label that names the problems is no item's.
                let para = cfg
                    .sections
                    .problems
                    .iter()
                    .find_map(|w| para.strip_prefix(w.as_str())?.strip_prefix(':'))
                    .map_or(para, str::trim_start);
                let mut split = split_inline(para, &rules.inline_markers);
                if split.len() < 2 {
                    split = split_inline(para, &rules.inline_numbered_markers);
                }
                items.extend(split.into_iter().map(cap));
            }
        }
        items.truncate(cfg.problems.max_items);
        items
    }
}

/// Where the closing of a report starts in `text[from..to]`: a paragraph
/// that starts with a `closing` word (附件：…), or a date alone (2024年3月1日)
/// with the signer's short unpunctuated line right before it. `to` if none.
fn closing_start(text: &str, from: usize, to: usize, closing: &[String]) -> usize {
    let Some(span) = text.get(from..to) else { return to };
    let mut prev: Option<(usize, &str)> = None;
    let mut at = from;
    for line in span.split('\n') {
        let start = at;
        at += line.len() + 1;
        let p = line.trim();
        if p.is_empty() {
            continue;
        }
        // (二)改进措施: a sub-heading's enumerator is passed over.
        let words = heading_level(p).map_or(p, |(_, len)| p.get(len..).unwrap_or_default().trim_start());
        if starts_with_any(words, closing) {
            return start;
        }
        // The signer's line may run on into the date (湘潭市岳塘区财政局2024年3月1日).
        if let Some(signer) = before_trailing_date(p) {
            if signer.trim().is_empty() {
                return prev.filter(|(_, l)| signer_like(l)).map_or(start, |(s, _)| s);
            }
            if signer_like(signer) {
                return start;
            }
        }
        prev = Some((start, p));
    }
    to
}

/// A line a signer's name may be: short, with no stop, digit or enumerator.
fn signer_like(l: &str) -> bool {
    l.chars().count() <= 30
        && !l.contains(['。', ',', ';', ':', '、', '!', '?'])
        && !l.contains(|c: char| c.is_ascii_digit())
        && heading_level(l).is_none()
}

/// What comes before a date that ends a paragraph (2024年3月1日), if one does.
fn before_trailing_date(p: &str) -> Option<&str> {
    p.char_indices()
        .filter(|&(i, c)| c.is_ascii_digit() && !p[..i].ends_with(|b: char| b.is_ascii_digit()))
        .find(|&(i, _)| is_date_line(&p[i..]))
        .map(|(i, _)| &p[..i])
}

/// Whether a paragraph is a date alone: 2024年3月1日 (spaces allowed).
fn is_date_line(p: &str) -> bool {
    let mut rest = p;
    for unit in ['年', '月', '日'] {
        let t = rest.trim_start();
        let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 4 {
            return false;
        }
        let Some(r) = t[digits..].trim_start().strip_prefix(unit) else {
            return false;
        };
        rest = r;
    }
    rest.trim().is_empty()
}

/// A paragraph of problems listed inline (一是…；二是…), split at its
/// markers; any other paragraph whole. The markers must come in order from
/// the first, at the paragraph's start: 二是 alone inside a sentence is a word.
fn split_inline<'t>(para: &'t str, markers: &[String]) -> Vec<&'t str> {
    let mut cuts = Vec::new();
    let mut from = 0;
    for m in markers {
        let Some(at) = para.get(from..).and_then(|rest| rest.find(m.as_str())) else {
            break;
        };
        if cuts.is_empty() && at != 0 {
            break;
        }
        cuts.push(from + at);
        from += at + m.len();
    }
    if cuts.len() < 2 {
        return vec![para];
    }
    cuts.iter()
        .enumerate()
        .map(|(i, &c)| {
            let end = cuts.get(i + 1).copied().unwrap_or(para.len());
            para.get(c..end).unwrap_or_default().trim_end_matches([';', ',', ' '])
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn cand(doc: &Doc, priority: i32, rule: &'static str, start: usize, end: usize) -> Candidate {
    // The name as the report writes it (traditional characters stay).
    let name: String = doc
        .clean
        .as_written(start, end)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Candidate {
        field: Field::Department,
        value: Value::Text(name),
        priority,
        rule,
        start,
        end,
    }
}

/// A year at `start..end` (年 included) that is no date and ends no span:
/// a title's (`strong`) where the title's words follow and it stands in no
/// cited document's title; counted unless a forecast's.
fn tally_year(
    doc: &Doc,
    cfg: &Config,
    (y, start, end): (i32, usize, usize),
    strong: &mut Vec<(i32, usize, usize)>,
    counts: &mut HashMap<i32, (usize, usize, usize)>,
) {
    // 根据《关于开展2022年度部门整体支出绩效评价的通知》: a cited document's
    // year, counted but no title's.
    let (sent_start, _) = doc.sentence_of(start);
    let lead = doc.text.get(sent_start..start).unwrap_or_default();
    let cited = lead
        .rfind('《')
        .is_some_and(|open| lead.rfind('》').is_none_or(|close| close < open));
    let after = doc.text.get(end..).unwrap_or_default().trim_start();
    if !cited && starts_with_any(after, &cfg.year.strong_after) {
        strong.push((y, start, end));
    }
    // 预计2024年支出…: a year forecast is not the year evaluated.
    let clause = doc
        .text
        .get(doc.clause_start(start, &[',', ';', '。', ':', '\n'])..start)
        .unwrap_or_default();
    if !contains_any(clause, &cfg.year.forecast_before) {
        counts.entry(y).or_insert((0, start, end)).0 += 1;
    }
}

/// The title lines: the first six paragraphs before the first heading that
/// hold a title word (报告, 决算 …) and are no heading, as (start, end, line).
fn title_lines<'d>(doc: &'d Doc, cfg: &'d Config) -> impl Iterator<Item = (usize, usize, &'d str)> + 'd {
    let head_end = doc.cover_end();
    doc.clean
        .para_starts
        .iter()
        .copied()
        .filter(move |&s| s < head_end)
        .take(6)
        .map(|line_start| {
            let (s, e) = doc.clean.paragraph(line_start);
            (s, e, doc.text.get(s..e).unwrap_or_default())
        })
        .filter(|(_, _, line)| contains_any(line, &cfg.department.title_words) && heading_level(line).is_none())
}

/// The years that start a title line (2023年湘潭市岳塘区教育局部门整体支出绩效
/// 自评报告): the title's own, whatever follows them.
fn title_years(doc: &Doc, cfg: &Config) -> Vec<(i32, usize, usize)> {
    let mut years = Vec::new();
    for (s, _, line) in title_lines(doc, cfg) {
        let len = year_prefix_len(line);
        // (2024年3月… is a date, not a title's year.)
        if len == 0
            || line
                .get(len..)
                .is_none_or(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let year = line.get(lead..lead + 4).and_then(|d| d.parse::<i32>().ok());
        if let Some(y) = year.filter(|y| (cfg.year.min..=cfg.year.max).contains(y)) {
            years.push((y, s + lead, s + len));
        }
    }
    years
}

/// The zeros of Chinese numerals (〇, ○ and 零 all write the 0 of 2023).
const CHINESE_ZEROS: [&str; 3] = ["〇", "○", "零"];

fn chinese_digit(c: char) -> Option<i32> {
    let digit = match c {
        '〇' | '○' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    };
    Some(digit)
}

/// Four Chinese digits and 年 (二〇二三年): the year and its span, 年 included.
/// Every year of this century holds a zero, so the zeros find them all.
fn chinese_years(text: &str, zeros: &AhoCorasick) -> Vec<(i32, usize, usize)> {
    let mut years = Vec::new();
    let mut done = 0;
    for at in zeros.find_iter(text).map(|m| m.start()) {
        if at < done {
            continue;
        }
        let head = text.get(..at).unwrap_or_default();
        let start = head.len() - head.trim_end_matches(|c| chinese_digit(c).is_some()).len();
        let start = at - start;
        let tail = text.get(at..).unwrap_or_default();
        let end = at + (tail.len() - tail.trim_start_matches(|c| chinese_digit(c).is_some()).len());
        done = end;
        let run = text.get(start..end).unwrap_or_default();
        if run.chars().count() != 4 || !text.get(end..).is_some_and(|r| r.starts_with('年')) {
            continue;
        }
        let year = run.chars().filter_map(chinese_digit).fold(0, |y, d| y * 10 + d);
        years.push((year, start, end + '年'.len_utf8()));
    }
    years
}

/// Whether the year at `start` ends a span of years (2023-2024年度, 2023年至2024年).
fn ends_a_span(text: &str, start: usize, range_words: &[String]) -> bool {
    let before = text.get(..start).unwrap_or_default().trim_end_matches(' ');
    range_words.iter().any(|w| {
        before.strip_suffix(w.as_str()).is_some_and(|b| {
            let b = b.trim_end_matches(' ');
            let b = b.strip_suffix('年').unwrap_or(b).trim_end_matches(' ');
            b.ends_with(|c: char| c.is_ascii_digit())
        })
    })
}

/// Bytes of a leading `2022年度` / `2022 年` (the evaluated year before the
/// name in a title), with the spaces around it; 0 when the line does not start so.
fn year_prefix_len(line: &str) -> usize {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits != 4 {
        return 0;
    }
    let rest = t[digits..].trim_start_matches(' ');
    let Some(after) = rest.strip_prefix('年') else {
        return 0;
    };
    let after = after.strip_prefix('度').unwrap_or(after).trim_start_matches(' ');
    line.len() - after.len()
}

#[cfg(test)]
mod tests {
    use crate::model::{Field, Value};

    use crate::extract::facts_of as run;

    /// 预计2024年支出: a forecast's year is not counted; with the title's year
    /// broken (202 3年度), no year is better than the forecast's.
    #[test]
    fn a_forecast_year_is_not_the_evaluated_year() {
        let f = run("湘潭县财政局202 3年度部门整体支出绩效自评报告\n一、基本情况\n预计2024年支出 5,100.00 万元。\n");
        assert_eq!(f.get(Field::FiscalYear), None);
        let f = run("湘潭县财政局部门整体支出绩效自评报告\n一、基本情况\n2023年支出 4,800.00 万元。预计2024年支出 5,100.00 万元。\n");
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2023)));
    }

    /// 20 20 年部门预算和 2019年部门决算: with one title's year broken, the
    /// other's is not the report's year alone; the most frequent year is.
    #[test]
    fn a_title_year_broken_beside_another_leaves_the_title_rule() {
        let body = "年部门预算和 2019年部门决算,按规定公开。2020 年完成任务。2020 年开展工作。\n";
        for year in ["2020 ", "20 20 ", "202 0"] {
            let f = run(&format!("三、绩效情况\n本单位公开了 {year}{body}"));
            assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2020)), "{year}");
        }
        // The cut year's last digits fit the other title's year: that stands
        // (2 023 年部门整体… in the title, 2023 年度部门整体 in the text, 2022
        // more often in the text).
        let text = "吕田镇人民政府 2 023 年 部门整体支出绩效自评报告\n2023 年度部门整体支出合理规范。2022 年完成任务。2022 年开展工作。\n";
        assert_eq!(run(text).get(Field::FiscalYear), Some(&Value::Int(2023)));
        // Both title years cut: the most frequent year the text can read
        // (2022, the 2023s cut too) is not one they can end.
        let text = "吕田镇人民政府 202 3 年 部门整体支出绩效自评报告\n2 0 23 年度部门整体支出合理规范。2022 年完成任务。2022 年开展工作。\n";
        assert_eq!(run(text).get(Field::FiscalYear), None);
        // 近 3 年部门预算 is a span of years, not a cut one.
        let text = "2022年度部门整体支出绩效自评报告\n近 3 年部门预算执行良好。\n";
        assert_eq!(run(text).get(Field::FiscalYear), Some(&Value::Int(2022)));
    }

    /// A title that starts with its year outranks a cited notice's 年度部门整体;
    /// a cited notice's year is counted, not taken as a title's.
    #[test]
    fn a_cited_notices_year_is_no_title_year() {
        let cited = "根据湘潭市财政局《关于开展2022年度部门整体支出绩效评价的通知》要求，开展自评。";
        let f = run(&format!(
            "2023年湘潭市岳塘区教育局部门整体支出绩效自评报告\n一、基本情况\n{cited}\n"
        ));
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2023)));
        let f = run(&format!(
            "湘潭市岳塘区教育局部门整体支出绩效自评报告\n一、基本情况\n{cited}2023年完成任务。2023年开展工作。\n"
        ));
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2023)));
    }

    /// 关于2023年度部门整体支出绩效自评的报告 / 湘潭市岳塘区教育局: a title that
    /// names no one ends its line, and the name alone below it is the department.
    #[test]
    fn the_name_below_a_nameless_title_is_the_department() {
        let f =
            run("关于2023年度部门整体支出绩效自评的报告\n湘潭市岳塘区教育局\n一、部门概况\n本局为区政府工作部门。\n");
        assert_eq!(f.text(Field::Department), Some("湘潭市岳塘区教育局"));
        let f = run("2023年度部门整体支出绩效自评报告\n湘潭市岳塘区教育局\n一、部门概况\n");
        assert_eq!(f.text(Field::Department), Some("湘潭市岳塘区教育局"));
        // A line below that is more than a name names no department.
        let f = run("2023年度部门整体支出绩效自评报告\n湘潭市岳塘区教育局认真开展自评\n一、部门概况\n");
        assert_eq!(f.text(Field::Department), None);
    }

    /// 2023-2024年度: neither end of a span is the year evaluated.
    #[test]
    fn a_span_of_years_gives_no_year() {
        for span in ["2023-2024年度", "2023年至2024年度"] {
            let f = run(&format!(
                "湘潭市岳塘区教育局{span}部门整体支出绩效自评报告\n一、基本情况\n"
            ));
            assert_eq!(f.get(Field::FiscalYear), None, "{span}");
        }
    }

    /// 二〇二三年度: a year in Chinese numerals; 二〇二四年三月 is a date.
    #[test]
    fn a_year_in_chinese_numerals_is_read() {
        let f = run("湘潭市岳塘区教育局二〇二三年度部门整体支出绩效自评报告\n报告日期：二〇二四年三月十日\n二〇二四年工作计划。\n");
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2023)));
        let zeros = crate::extract::automaton(super::CHINESE_ZEROS).expect("an automaton");
        assert_eq!(super::chinese_years("二○二二年、零点", &zeros), vec![(2022, 0, 15)]);
    }

    #[test]
    fn year_is_the_evaluated_year_not_the_date_written() {
        let f = run("2023年度部门整体支出绩效自评报告\n填报日期：2024年5月21日\n2024年工作计划。");
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2023)));
        // A month a space cut (2020年0 5月20日) still makes a date.
        let f = run("2019 年完成任务。2019 年开展工作。2020 年计划。\n报告日期:2020年0 5月20日");
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2019)));
        // `年度` without a number falls back to other evidence.
        let f = run("年度决算收入 1 万元。2021 年完成任务。2021 年办事处全年开展工作。\n2024-05-21");
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2021)));
    }

    /// A project's self-evaluation names its department and year, but its
    /// budget, spending and score are the project's: not read, and a check
    /// names them. A department's report that names its projects too is the
    /// department's.
    #[test]
    fn a_projects_report_gives_only_its_department_and_year() {
        let text = "红河州数据发展中心2024年度项目支出绩效单位自评报告\n一、基本情况\n\
                    年初批复预算 985 万元，实际支出 334.67 万元，预算执行率 33.98%。\n\
                    二、自评结论\n该项目自评得分 88 分，等级为良。\n";
        let f = run(text);
        assert_eq!(f.document_kind, "项目支出绩效报告");
        assert_eq!(f.text(Field::Department), Some("红河州数据发展中心"));
        assert_eq!(f.get(Field::FiscalYear), Some(&Value::Int(2024)));
        for field in [
            Field::ScoreTotal,
            Field::Grade,
            Field::BudgetInitial,
            Field::ExpenditureTotal,
        ] {
            assert_eq!(f.get(field), None, "{field:?}");
        }
        let check = f
            .checks
            .iter()
            .find(|c| c.check == "not_a_department_report")
            .expect("a check");
        assert!(check.fields.iter().any(|x| x == "score_total"), "{:?}", check.fields);
        // Sichuan's form names the budget first: still a project's self-evaluation, not a budget.
        let f = run("部门预算项目支出绩效自评表(2023年度)\n主管部门\n青神县发展和改革局\n年初预算 238.93 万元，预算执行数 251.89 万元。\n");
        assert_eq!(f.document_kind, "项目支出绩效报告");
        assert_eq!(f.num(Field::BudgetInitial), None);
        let whole = text.replace("项目支出绩效单位自评报告", "部门整体支出及项目支出绩效自评报告");
        let f = run(&whole);
        assert_eq!(f.document_kind, "绩效自评报告");
        assert!(f.checks.iter().all(|c| c.check != "not_a_department_report"));
        // In it, 该项目自评得分 is a project's score (`total_other_subject_words`);
        // the department's own is read.
        assert_eq!(f.num(Field::ScoreTotal), None);
        let f = run(&whole.replace("该项目自评得分", "本部门自评得分"));
        assert_eq!(f.num(Field::ScoreTotal), Some(88.0));
    }

    #[test]
    fn department_from_label_title_and_mentions() {
        let f = run("部门名称：乐昌市人民政府办公室\n单位负责人：某某\n");
        assert_eq!(f.text(Field::Department), Some("乐昌市人民政府办公室"));
        let f = run("广州市从化区吕田镇人民政府 2023 年 部门整体支出绩效自评报告\n一、基本情况\n");
        assert_eq!(f.text(Field::Department), Some("广州市从化区吕田镇人民政府"));
        // The year first: 2022年度湘潭县财政局部门整体支出…, 2023年度泸州市中医医院单位决算.
        let f = run("2022年度湘潭县财政局部门整体支出绩效自评报告\n一、基本情况\n");
        assert_eq!(f.text(Field::Department), Some("湘潭县财政局"));
        let f = run("2022 年湘潭县财政局整体支出绩效自评报告（社会公开版）\n一、基本情况\n");
        assert_eq!(f.text(Field::Department), Some("湘潭县财政局"));
        let f = run("湘潭县财政局\n2022年度部门整体支出绩效自评报告\n一、基本情况\n");
        assert_eq!(f.text(Field::Department), Some("湘潭县财政局"));
        // A page number joined on after the title: the name still ends at 部门整体.
        let f = run("北京市朝阳区人民政府麦子店街道办事处\n部门整体支出绩效自评报告\n\n— 12 —\n一、基本情况\n");
        assert_eq!(f.text(Field::Department), Some("北京市朝阳区人民政府麦子店街道办事处"));
        let f = run("北京市朝阳区人民政府麦子店街道办事处部门整体支出绩效自评报告 第 2 册\n一、基本情况\n");
        assert_eq!(f.text(Field::Department), Some("北京市朝阳区人民政府麦子店街道办事处"));
        // Schools report too (教育局's units): 第四中学, 实验小学.
        let f = run("耒阳市第四中学2021年度部门整体支出绩效自评报告\n一、部门职责\n");
        assert_eq!(f.text(Field::Department), Some("耒阳市第四中学"));
        let f = run(
            "一、概况\n关于调整中共乐昌市委办公室职责的通知。2022 年乐昌市委办公室部门决算。乐昌市委办公室成立了小组。",
        );
        assert_eq!(f.text(Field::Department), Some("中共乐昌市委办公室"));
        assert_eq!(f.text(Field::County), Some("乐昌市"));
        assert_eq!(f.text(Field::City), Some("韶关市"));
    }

    #[test]
    fn a_labelled_name_cut_at_its_line_end_is_not_read_from_the_label() {
        // 部门名称：乐昌市人民政府 / 办公室单位负责人：… — a text run broken inside
        // the name: the label's 乐昌市人民政府 may be cut, the mentions are whole.
        let text = "部门名称：乐昌市人民政府\n办公室单位负责人：某某\n一、基本情况\n乐昌市人民政府办公室负责全市工作。乐昌市人民政府办公室设10个股室。\n";
        let f = run(text);
        assert_eq!(f.text(Field::Department), Some("乐昌市人民政府办公室"));
        // A whole name, the next label on the next line: read from the label.
        let f = run("部门名称：乐昌市人民政府办公室\n单位负责人：某某\n");
        assert_eq!(f.text(Field::Department), Some("乐昌市人民政府办公室"));
        let rule = f
            .facts
            .iter()
            .find(|x| x.field == "department")
            .map(|x| x.provenance.rule.as_str());
        assert_eq!(rule, Some("department:label"));
    }

    #[test]
    fn title_words_come_from_the_config() {
        use crate::extract::facts_with_config_line as with;
        let text = "关于乐昌市财政局部门整体支出绩效自评报告\n一、基本情况\n";
        assert_eq!(run(text).text(Field::Department), Some("乐昌市财政局"));
        let f = with(r#"title_name_after = ["关于"]"#, r#"title_name_after = ["有关"]"#, text);
        assert_ne!(f.text(Field::Department), Some("乐昌市财政局"));
    }

    #[test]
    fn a_label_is_found_where_labels_overlap() {
        // 主管部门 and 部门名称 are both labels and overlap here; the colon
        // decides, not which label a left-to-right scan met first.
        let f = run("主管部门名称：乐昌市财政局\n一、基本情况\n乐昌市人民政府办公室成立了小组。\n");
        assert_eq!(f.text(Field::Department), Some("乐昌市财政局"));
        // Label words in prose, with no colon after them, are not a label.
        let f = run("一、概况\n部门名称未变更。乐昌市财政局成立了小组。乐昌市财政局负责。\n");
        assert_eq!(f.text(Field::Department), Some("乐昌市财政局"));
    }

    #[test]
    fn a_labelled_year_is_the_evaluated_year() {
        let f = run("湘潭市岳塘区教育局部门整体支出绩效自评报告\n本报告于2024年4月编制，评价年度为2023年。2024年工作计划：……2024年预算安排……\n");
        assert_eq!(f.num(Field::FiscalYear), Some(2023.0));
        let f = run("部门整体支出绩效自评报告\n报告年度：2023\n部门名称：湘潭市岳塘区教育局\n");
        assert_eq!(f.num(Field::FiscalYear), Some(2023.0));
    }

    #[test]
    fn a_labels_cell_in_a_table_row_names_the_department() {
        let f = run("湖南省湘潭市岳塘区财政局2023年度部门整体支出绩效自评表\n部门名称 | 湘潭市岳塘区财政局 | 主管部门 | 湘潭市岳塘区人民政府\n");
        assert_eq!(f.text(Field::Department), Some("湘潭市岳塘区财政局"));
    }

    #[test]
    fn a_short_aside_may_stand_between_a_label_and_its_colon() {
        let f = run("部门整体支出绩效自评报告（2023年度）\n填报单位（盖章）：常德市鼎城区水利局\n一、部门基本情况\n");
        assert_eq!(f.text(Field::Department), Some("常德市鼎城区水利局"));
        // A longer aside is prose, not a label's.
        let f = run("一、概况\n填报单位（按照通知要求报送）：常德市鼎城区水利局\n");
        assert_eq!(f.text(Field::Department), None);
    }

    #[test]
    fn problems_are_listed_items() {
        let f = run("五、存在问题\n（1）绩效目标设立不够明确。\n（2）政府采购偏差大。\n六、相关建议\n无\n");
        assert_eq!(f.problems, vec!["绩效目标设立不够明确。", "政府采购偏差大。"]);
        let f = run("三、存在的主要问题\n我镇预算绩效管理基础比较薄弱。\n四、下一步改进措施\n");
        assert_eq!(f.problems.len(), 1);
    }

    #[test]
    fn problems_grouped_under_sub_headings_are_their_items() {
        let f = run("四、存在问题\n（一）预算编制方面\n1.预算编制不够精准。\n2.项目储备不足。\n（二）预算执行方面\n1.执行进度偏慢。\n五、下一步工作\n");
        assert_eq!(
            f.problems,
            vec!["预算编制不够精准。", "项目储备不足。", "执行进度偏慢。"]
        );
    }

    #[test]
    fn the_signature_and_attachments_end_the_problems() {
        let f = run("五、存在问题\n1.预算执行率偏低。\n2.资产管理不规范。\n湘潭市岳塘区财政局\n2024年3月1日\n");
        assert_eq!(f.problems, vec!["预算执行率偏低。", "资产管理不规范。"]);
        let f = run("五、存在的问题\n1、预算编制不够细化。\n2、执行进度不均衡。\n附件：绩效自评表\n");
        assert_eq!(f.problems, vec!["预算编制不够细化。", "执行进度不均衡。"]);
        let f = run("五、存在的问题\n部分项目支付进度较慢。\n2024 年 3 月 1 日\n");
        assert_eq!(f.problems, vec!["部分项目支付进度较慢。"]);
        // A sentence that ends with a date is no signature.
        let f = run("五、存在的问题\n部分项目未按期完工，推迟至2024年3月1日\n");
        assert_eq!(f.problems.len(), 1);
        let f = run("五、存在的问题\n1.资产管理不规范。\n2.项目推迟至2024年3月1日\n");
        assert_eq!(f.problems.len(), 2);
        // A date inside a sentence is no signature.
        assert!(super::is_date_line("2024年3月1日") && !super::is_date_line("2024年3月1日前完成"));
    }

    /// 本部门不存在问题。 is no problem; 一是…；二是… lists two.
    #[test]
    fn a_statement_of_none_is_no_problem_and_inline_items_are_split() {
        for none in ["本部门不存在问题。", "本年度未发现重大问题。", "无。"] {
            let f = run(&format!("四、存在的问题\n{none}\n五、改进措施\n加强管理。\n"));
            assert!(f.problems.is_empty(), "{none}: {:?}", f.problems);
        }
        // A longer paragraph may go on to list one.
        let f = run("四、存在的问题\n虽未发现重大问题，但预算执行进度不均衡，年底支出较集中。\n");
        assert_eq!(f.problems.len(), 1);
        // Under a heading that also names the measures: the measures end the
        // problems, and a label's numbered items are split.
        let f = run("四、存在的问题和改进措施\n存在问题：1、项目资金拨付不及时；2、绩效评价结果运用不充分。\n改进措施：1、加快资金拨付；2、强化结果运用。\n");
        assert_eq!(f.problems, vec!["1、项目资金拨付不及时", "2、绩效评价结果运用不充分。"]);
        let f = run("四、存在的问题及原因分析\n（一）存在的问题\n1.预算执行进度不均衡。\n（二）原因分析\n1.项目前期工作不扎实。\n五、改进措施\n");
        assert_eq!(f.problems, vec!["预算执行进度不均衡。"]);
        let f = run("四、存在的问题\n一是预算执行进度不均衡；二是绩效自评质量有待提高。\n五、改进措施\n");
        assert_eq!(f.problems, vec!["一是预算执行进度不均衡", "二是绩效自评质量有待提高。"]);
        // 二是 inside a sentence, with no 一是 first, is a word of it.
        let f = run("四、存在的问题\n问题之二是预算执行进度不均衡。\n");
        assert_eq!(f.problems.len(), 1);
    }
}
