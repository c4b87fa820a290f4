//! Administrative region from the gazetteer (GB/T 2260): matched against the
//! department's name first, then the text; short forms (乐昌 → 乐昌市) only
//! where they stand at a name boundary, never inside unrelated words.

use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

use aho_corasick::AhoCorasick;

use super::backward::BackwardMatcher;
use super::{automaton_with, Doc, Scan};
use crate::config::{DepartmentRules, Region, RegionLevel};
use crate::model::{Fact, Field, Provenance, ReportFacts, Value};
use crate::normalize::is_cjk;

const MUNICIPALITIES: [&str; 4] = ["11", "12", "31", "50"];

pub struct RegionMatcher {
    /// Full names and short forms (for department names).
    ac: AhoCorasick,
    /// Full names only (for running text), numbered as `patterns`.
    full_names: BackwardMatcher,
    /// For each pattern: (row, is_alias).
    patterns: Vec<Vec<(usize, bool)>>,
    rows: Vec<Region>,
    /// Words that may stand before a region in a name (中共乐昌市委办公室).
    prefixes: Vec<String>,
    /// Characters that may follow a short form (乐昌市委, 恩施州政府 …).
    short_form_followers: Vec<char>,
}

/// The region a report belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMatch {
    pub province: String,
    pub city: Option<String>,
    pub county: Option<String>,
    pub code: String,
    pub rule: &'static str,
    /// Byte span in the text when found there (not in the department name).
    pub span: Option<(usize, usize)>,
}

/// A region name in a text: the gazetteer rows it may stand for.
pub struct Hit {
    start: usize,
    end: usize,
    pattern: usize,
    /// Only short forms matched here (no full name is spelled this way).
    alias: bool,
}

/// The full region names of a text, found at most once and shared by the
/// department rule and the region rule. Found lazily: a report whose name comes
/// from its cover label and names one region needs no scan of its whole text
/// (still a pass over every byte of the report).
pub struct TextRegions<'t> {
    text: &'t str,
    hits: OnceCell<Vec<Hit>>,
}

impl RegionMatcher {
    pub fn new(rows: &[Region], rules: &DepartmentRules) -> Result<Self, aho_corasick::BuildError> {
        let mut index: HashMap<&str, usize> = HashMap::default();
        let mut pats: Vec<String> = Vec::new();
        let mut patterns: Vec<Vec<(usize, bool)>> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            for (name, alias) in
                std::iter::once((r.name.as_str(), false)).chain(r.aliases.iter().map(|a| (a.as_str(), true)))
            {
                if name.chars().count() < 2 {
                    continue;
                }
                let slot = *index.entry(name).or_insert_with(|| {
                    pats.push(name.to_string());
                    patterns.push(Vec::new());
                    pats.len() - 1
                });
                patterns[slot].push((i, alias));
            }
        }
        // Running text is scanned for full names only: a short form that is
        // skipped must not swallow the text of a full name next to it
        // (中共和田市委: 共和 is 共和县's short form, 和田市 the full name).
        // (Found from their last chars backwards: see `BackwardMatcher`. A
        // pattern that is only a short form stands there as an empty word,
        // which never matches, so that words and patterns share their numbers.)
        let full_names = BackwardMatcher::new(pats.iter().zip(&patterns).map(|(name, rows)| {
            if rows.iter().any(|(_, alias)| !alias) {
                name.as_str()
            } else {
                ""
            }
        }))?;
        Ok(RegionMatcher {
            // Names and short forms: only ever run over short department names.
            ac: automaton_with(&pats, Scan::Compact)?,
            full_names,
            patterns,
            rows: rows.to_vec(),
            prefixes: rules.prefixes.clone(),
            short_form_followers: rules.region_short_form_followers.chars().collect(),
        })
    }

    /// Region names in a department's name: full names, and short forms where
    /// they stand at a name boundary.
    fn hits(&self, s: &str) -> Vec<Hit> {
        let mut out: Vec<Hit> = Vec::new();
        for m in self.ac.find_iter(s) {
            let pattern = m.pattern().as_usize();
            let Some(rows) = self.patterns.get(pattern) else {
                continue;
            };
            let has_full = rows.iter().any(|(_, a)| !a);
            if !(has_full || self.alias_at_boundary(s, m.start(), m.end(), &out)) {
                continue;
            }
            out.push(Hit {
                start: m.start(),
                end: m.end(),
                pattern,
                alias: !has_full,
            });
        }
        out
    }

    /// The gazetteer rows a hit stands for (full names only, unless it is a short form).
    fn rows_of<'a>(&'a self, h: &'a Hit) -> impl Iterator<Item = &'a Region> + 'a {
        self.patterns
            .get(h.pattern)
            .into_iter()
            .flatten()
            .filter(move |(_, a)| h.alias || !a)
            .filter_map(|(r, _)| self.rows.get(*r))
    }

    /// Full region names in a text (found on first use, once per report).
    pub fn text_regions<'t>(&self, text: &'t str) -> TextRegions<'t> {
        TextRegions {
            text,
            hits: OnceCell::new(),
        }
    }

    fn text_hits<'r>(&self, regions: &'r TextRegions) -> &'r [Hit] {
        regions.hits.get_or_init(|| {
            self.full_names
                .find(regions.text)
                .into_iter()
                .map(|m| Hit {
                    start: m.start,
                    end: m.end,
                    pattern: m.word,
                    alias: false,
                })
                .collect()
        })
    }

    /// A short form counts at the start of a name, right after another region,
    /// or when an administrative word follows it (韶关乐昌, 乐昌市委 …).
    fn alias_at_boundary(&self, s: &str, start: usize, end: usize, before: &[Hit]) -> bool {
        let (text_before, text_after) = (&s[..start], &s[end..]);
        let prev = text_before.chars().next_back();
        let next = text_after.chars().next();
        let after_region = before.last().is_some_and(|h| h.end == start);
        let after_prefix = self.prefixes.iter().any(|p| text_before.ends_with(p.as_str()));
        let at_start = prev.is_none_or(|c| !is_cjk(c)) || after_prefix;
        // 红河州 already ends with what 红河 would need after it: 红河州统计局 counts.
        let ends_as_place = s[start..end]
            .chars()
            .next_back()
            .is_some_and(|c| self.short_form_followers.contains(&c));
        let next_ok = ends_as_place || next.is_some_and(|c| self.short_form_followers.contains(&c));
        let name_ends = next.is_none_or(|c| !is_cjk(c));
        after_region || (at_start && (next_ok || name_ends))
    }

    /// Whether a name starts with a place (after a prefix such as 中共).
    pub fn starts_with_region(&self, name: &str) -> bool {
        let n = strip_any_prefix(name, &self.prefixes);
        self.hits(n).first().is_some_and(|h| h.start == 0)
    }

    /// Byte spans where a full region name starts (for organisation names in the text).
    pub fn region_starts(&self, regions: &TextRegions) -> Vec<(usize, usize)> {
        self.text_hits(regions).iter().map(|h| (h.start, h.end)).collect()
    }

    /// The most specific region consistent with the department's name (and,
    /// to break ties, with the places the text mentions most).
    pub fn resolve(&self, department: Option<&str>, text: &str, regions: &TextRegions) -> Option<RegionMatch> {
        // How often the text names each region: only needed to break ties.
        let counted: OnceCell<HashMap<&str, usize>> = OnceCell::new();
        let mention = || {
            counted.get_or_init(|| {
                let mut m: HashMap<&str, usize> = HashMap::default();
                for h in self.text_hits(regions) {
                    for row in self.rows_of(h) {
                        *m.entry(row.name.as_str()).or_default() += 1;
                    }
                }
                m
            })
        };
        if let Some(d) = department {
            let hits = self.hits(d);
            if !hits.is_empty() {
                let rows: Vec<&Region> = hits.iter().flat_map(|h| self.rows_of(h)).collect();
                return self.pick(&rows, &mention, 1).map(|m| RegionMatch {
                    rule: "region:department",
                    ..m
                });
            }
        }
        // No place in the name: only a county (or city) the text names repeatedly.
        let text_hits = self.text_hits(regions);
        let rows: Vec<&Region> = text_hits.iter().flat_map(|h| self.rows_of(h)).collect();
        let m = self.pick(&rows, &mention, 2)?;
        let name = m
            .county
            .clone()
            .or_else(|| m.city.clone())
            .unwrap_or_else(|| m.province.clone());
        let span = text_hits
            .iter()
            .find(|h| text.get(h.start..h.end) == Some(name.as_str()))
            .map(|h| (h.start, h.end));
        Some(RegionMatch {
            rule: "region:text",
            span,
            ..m
        })
    }

    fn pick<'s>(
        &'s self,
        rows: &[&'s Region],
        mention: &dyn Fn() -> &'s HashMap<&'s str, usize>,
        min_mentions: usize,
    ) -> Option<RegionMatch> {
        let provinces: Vec<&str> = rows
            .iter()
            .filter(|r| r.level == RegionLevel::Province)
            .map(|r| r.name.as_str())
            .collect();
        let cities: Vec<&str> = rows
            .iter()
            .filter(|r| r.level == RegionLevel::City)
            .map(|r| r.name.as_str())
            .collect();
        let consistent = |r: &Region| -> bool {
            (provinces.is_empty() || provinces.contains(&r.province.as_str()))
                && (r.level != RegionLevel::County || cities.is_empty() || cities.contains(&r.city.as_str()))
        };
        let support = |r: &Region| -> usize {
            let mention = mention();
            mention.get(r.name.as_str()).copied().unwrap_or(0)
                + mention.get(r.city.as_str()).copied().unwrap_or(0)
                + mention.get(r.province.as_str()).copied().unwrap_or(0)
        };
        for level in [RegionLevel::County, RegionLevel::City, RegionLevel::Province] {
            let mut cands: Vec<&Region> = rows
                .iter()
                .copied()
                .filter(|r| r.level == level && consistent(r))
                .collect();
            cands.sort_by(|a, b| a.code.cmp(&b.code));
            cands.dedup_by(|a, b| a.code == b.code);
            if cands.is_empty() {
                continue;
            }
            if min_mentions > 1 {
                let mention = mention();
                cands.retain(|r| mention.get(r.name.as_str()).copied().unwrap_or(0) >= min_mentions);
                if cands.is_empty() {
                    continue;
                }
            }
            // One candidate needs no tie-break (and no count of the text's mentions).
            let r = if let [only] = cands.as_slice() {
                *only
            } else {
                let best = cands.iter().map(|r| support(r)).max().unwrap_or(0);
                let top: Vec<&&Region> = cands.iter().filter(|r| support(r) == best).collect();
                match top.as_slice() {
                    [one] => **one,
                    _ => return None,
                }
            };
            let municipality = MUNICIPALITIES.iter().any(|m| r.code.starts_with(m));
            let city = match r.level {
                RegionLevel::Province if municipality => Some(r.province.clone()),
                RegionLevel::Province => None,
                _ if r.city.is_empty() => None,
                _ => Some(r.city.clone()),
            };
            return Some(RegionMatch {
                province: r.province.clone(),
                city,
                county: (r.level == RegionLevel::County).then(|| r.name.clone()),
                code: r.code.clone(),
                rule: "region",
                span: None,
            });
        }
        None
    }
}

/// Region facts, pointing at the department's name or at the text mention.
pub(crate) fn push_region_facts(m: &RegionMatch, doc: &Doc, out: &mut ReportFacts) {
    let prov = match m.span {
        Some((s, e)) => doc.provenance(m.rule, s, e),
        None => out
            .facts
            .iter()
            .find(|f| f.field == Field::Department.name())
            .map(|f| Provenance {
                rule: m.rule.to_string(),
                ..f.provenance.clone()
            })
            .unwrap_or_default(),
    };
    let mut add = |field: Field, v: &str| {
        out.facts.push(Fact {
            field: field.name().to_string(),
            value: Value::Text(v.to_string()),
            derived: false,
            provenance: prov.clone(),
        });
    };
    add(Field::Province, &m.province);
    if let Some(c) = &m.city {
        add(Field::City, c);
    }
    if let Some(c) = &m.county {
        add(Field::County, c);
    }
    add(Field::RegionCode, &m.code);
}

/// A name without the first of `prefixes` it starts with (中共乐昌市委 → 乐昌市委).
pub fn strip_any_prefix<'a>(name: &'a str, prefixes: &[String]) -> &'a str {
    prefixes
        .iter()
        .find_map(|p| name.strip_prefix(p.as_str()))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules;

    fn matcher() -> RegionMatcher {
        let rules = Rules::bundled().unwrap();
        RegionMatcher::new(&rules.regions, &rules.config.department).unwrap()
    }

    impl RegionMatcher {
        fn resolve_in(&self, department: Option<&str>, text: &str) -> Option<RegionMatch> {
            self.resolve(department, text, &self.text_regions(text))
        }
    }

    fn names(m: &RegionMatch) -> (String, Option<String>, Option<String>, String) {
        (m.province.clone(), m.city.clone(), m.county.clone(), m.code.clone())
    }

    #[test]
    fn county_from_department_name() {
        let m = matcher().resolve_in(Some("乐昌市人民政府梅田办事处"), "").unwrap();
        assert_eq!(
            names(&m),
            (
                "广东省".into(),
                Some("韶关市".into()),
                Some("乐昌市".into()),
                "440281".into()
            )
        );
        let m = matcher().resolve_in(Some("广州市从化区吕田镇人民政府"), "").unwrap();
        assert_eq!(m.county.as_deref(), Some("从化区"));
        assert_eq!(m.city.as_deref(), Some("广州市"));
    }

    #[test]
    fn short_forms_and_one_character_names() {
        let m = matcher().resolve_in(Some("乐昌财政局"), "").unwrap();
        assert_eq!(m.county.as_deref(), Some("乐昌市"));
        let m = matcher().resolve_in(Some("恩施州财政局"), "").unwrap();
        assert_eq!(m.city.as_deref(), Some("恩施土家族苗族自治州"));
        assert_eq!(m.county, None);
        // A short form that ends as a place (州) needs no follower: 红河州统计局.
        let m = matcher().resolve_in(Some("红河州数据发展中心"), "").unwrap();
        assert_eq!(m.city.as_deref(), Some("红河哈尼族彝族自治州"));
        assert!(matcher().starts_with_region("红河州统计局"));
        let m = matcher().resolve_in(Some("滑县教育局"), "").unwrap();
        assert_eq!(names(&m).2.as_deref(), Some("滑县"));
        assert_eq!(m.province, "河南省");
    }

    #[test]
    fn the_short_form_followers_come_from_the_config() {
        // 乐昌 at the start of 乐昌财政局 counts only because 财 may follow a
        // short form.
        let mut rules = Rules::bundled().unwrap();
        let with = RegionMatcher::new(&rules.regions, &rules.config.department).unwrap();
        assert!(with.hits("乐昌财政局").iter().any(|h| h.alias));
        rules.config.department.region_short_form_followers = "县".into();
        let without = RegionMatcher::new(&rules.regions, &rules.config.department).unwrap();
        assert!(!without.hits("乐昌财政局").iter().any(|h| h.alias));
        // A configured prefix lets a name start after it.
        assert!(with.starts_with_region("中国共产党乐昌市委员会"));
        rules.config.department.prefixes.clear();
        let bare = RegionMatcher::new(&rules.regions, &rules.config.department).unwrap();
        assert!(!bare.starts_with_region("中国共产党乐昌市委员会"));
    }

    #[test]
    fn municipality_repeats_province_as_city() {
        let m = matcher().resolve_in(Some("北京市财政局"), "").unwrap();
        assert_eq!(m.city.as_deref(), Some("北京市"));
        assert_eq!(m.county, None);
        let m = matcher().resolve_in(Some("上海市普陀区财政局"), "").unwrap();
        assert_eq!(
            names(&m),
            (
                "上海市".into(),
                Some("上海市".into()),
                Some("普陀区".into()),
                "310107".into()
            )
        );
    }

    #[test]
    fn ambiguous_names_use_context_or_stay_null() {
        // 朝阳区 exists in Beijing and in Changchun.
        assert_eq!(matcher().resolve_in(Some("朝阳区财政局"), ""), None);
        let m = matcher()
            .resolve_in(Some("朝阳区财政局"), "长春市 长春市 吉林省")
            .unwrap();
        assert_eq!(m.city.as_deref(), Some("长春市"));
    }

    #[test]
    fn a_skipped_short_form_does_not_hide_a_full_name() {
        // 共和 (共和县) overlaps 和田市 in 中共和田市委办公室.
        let m = matcher()
            .resolve_in(None, "中共和田市委办公室。中共和田市委办公室。")
            .unwrap();
        assert_eq!(m.county.as_deref(), Some("和田市"));
    }

    /// The leftmost-longest automaton over the full names that
    /// `BackwardMatcher` replaced, and the pattern index of each of its patterns.
    fn full_name_automaton(m: &RegionMatcher) -> (AhoCorasick, Vec<usize>) {
        let full: Vec<(usize, &str)> = (0..m.patterns.len())
            .filter_map(|i| {
                let (row, _) = m.patterns[i].iter().find(|(_, alias)| !alias)?;
                Some((i, m.rows[*row].name.as_str()))
            })
            .collect();
        let ac = super::super::automaton(full.iter().map(|(_, name)| name)).unwrap();
        (ac, full.into_iter().map(|(i, _)| i).collect())
    }

    /// The full names found in running text: (start, end, pattern).
    fn text_matches(m: &RegionMatcher, text: &str) -> Vec<(usize, usize, usize)> {
        m.text_hits(&m.text_regions(text))
            .iter()
            .map(|h| (h.start, h.end, h.pattern))
            .collect()
    }

    fn by_automaton(ac: &AhoCorasick, full: &[usize], text: &str) -> Vec<(usize, usize, usize)> {
        ac.find_iter(text)
            .map(|m| (m.start(), m.end(), full[m.pattern().as_usize()]))
            .collect()
    }

    #[test]
    fn full_names_match_as_the_automaton_did_on_the_sample_reports() {
        let (m, ac, full) = matcher_and_automaton();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut texts = 0;
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let found = text_matches(m, &text);
            assert_eq!(found, by_automaton(ac, full, &text), "{}", entry.path().display());
            texts += usize::from(!found.is_empty());
        }
        assert!(texts >= 5, "only {texts} fixtures name a region");
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// Names glued, overlapping and cut (和田市 in 共和田市, 长春市 in 长春市长),
        /// between other chars: the same matches as the automaton.
        #[test]
        fn full_names_match_as_the_automaton_did(
            parts in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(vec![
                        "北京市", "朝阳区", "长春市", "吉林省", "和田市", "共和县", "乐昌市",
                        "韶关市", "广州市", "从化区", "恩施土家族苗族自治州", "新疆维吾尔自治区",
                        "内蒙古自治区", "阿拉善盟", "市", "县", "区", "州", "省", "长", "和",
                        "共", "田", "春", "财政局", " ", "，", "中共", "1", "a",
                        // One full name starts another, or ends it.
                        "唐山市", "唐山市汉沽管理区", "汉沽", "管理区", "东区", "城东区", "丰县",
                        "信丰县",
                    ]).prop_map(str::to_string),
                    "[一-丠市县区]{0,3}",
                ],
                0..24,
            )
        ) {
            let (m, ac, full) = matcher_and_automaton();
            let text = parts.concat();
            prop_assert_eq!(text_matches(m, &text), by_automaton(ac, full, &text));
        }
    }

    #[test]
    fn the_longest_full_name_at_a_start_wins() {
        let (m, ac, full) = matcher_and_automaton();
        for text in [
            "唐山市汉沽管理区财政局",
            "河北省唐山市，唐山市汉沽管理区",
            "信丰县城东区",
        ] {
            let found = text_matches(m, text);
            assert_eq!(found, by_automaton(ac, full, text), "{text}");
            let names: Vec<&str> = found.iter().map(|&(s, e, _)| &text[s..e]).collect();
            match text {
                "唐山市汉沽管理区财政局" => assert_eq!(names, ["唐山市汉沽管理区"]),
                "信丰县城东区" => assert_eq!(names, ["信丰县", "城东区"]),
                _ => assert_eq!(names, ["河北省", "唐山市", "唐山市汉沽管理区"]),
            }
        }
    }

    /// Built once for all cases (the automaton takes a while in a debug build).
    fn matcher_and_automaton() -> &'static (RegionMatcher, AhoCorasick, Vec<usize>) {
        static BUILT: std::sync::OnceLock<(RegionMatcher, AhoCorasick, Vec<usize>)> = std::sync::OnceLock::new();
        BUILT.get_or_init(|| {
            let m = matcher();
            let (ac, full) = full_name_automaton(&m);
            (m, ac, full)
        })
    }

    #[test]
    fn short_forms_do_not_match_inside_words() {
        // 江南 (南宁市江南区) inside 江南水乡 in running text is not a region.
        assert_eq!(matcher().resolve_in(None, "江南水乡风景好，江南水乡。"), None);
    }
}
