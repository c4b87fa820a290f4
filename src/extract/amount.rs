//! The number and amount grammar: one pass over the text finds every number
//! with the unit that follows it (元/万元/亿元, %, 分, 人/名, 年).

use std::sync::OnceLock;

use regex::Regex;

/// What a number counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// Money; the factor converts it to 万元.
    Money(f64),
    Percent,
    Permille,
    Points,
    People,
    Year,
    /// 万人, 万份 …: a count in ten-thousands, never money.
    OtherCount,
    Bare,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    /// Byte range of the number and its unit.
    pub start: usize,
    pub end: usize,
    /// Byte offset where the digits end (the unit follows).
    pub digits_end: usize,
    pub value: f64,
    pub unit: Unit,
    /// Decimal places written (for exact ratio checks).
    pub decimals: u8,
}

impl Number {
    /// The amount in 万元, when it is money.
    pub fn wan(&self) -> Option<f64> {
        match self.unit {
            Unit::Money(f) => Some(round6(self.value * f)),
            _ => None,
        }
    }

    pub fn fraction(&self) -> Option<f64> {
        match self.unit {
            Unit::Percent => Some(round6(self.value / 100.0)),
            Unit::Permille => Some(round6(self.value / 1000.0)),
            _ => None,
        }
    }
}

/// Amounts carry at most 6 decimals (0.01 元 is 1e-6 万元); rounding keeps
/// 1,399,448 元 = 139.9448 万元 exact and outputs identical across runs.
pub(crate) fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The number grammar as a regex: 1,234.56 / 1234.56 / 12·5 (a middle dot
/// used as decimal point). `\d` is any Unicode decimal digit; a number with a
/// digit other than 0–9 then fails to parse and is skipped whole, rather than
/// read in part. [`number_spans`] finds the same matches, mostly without it.
fn number_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.·]\d+)?").unwrap_or_else(|_| unreachable!()))
}

/// For each byte value: whether it can start a char that `\d` matches other
/// than 0–9 (the lead bytes of other scripts' digits, and of every char
/// outside the BMP). Taken from the regex engine itself, so the two cannot
/// disagree; CJK lead bytes are not among them.
fn other_digit_leads() -> &'static [bool; 256] {
    static LEADS: OnceLock<[bool; 256]> = OnceLock::new();
    LEADS.get_or_init(|| {
        let one = Regex::new(r"\A\d\z").unwrap_or_else(|_| unreachable!());
        let mut lead = [false; 256];
        let mut utf8 = [0u8; 4];
        // Every decimal digit is numeric; the cheap test leaves the regex a few hundred chars.
        for c in (0x80..=0xFFFFu32).filter_map(char::from_u32).filter(|c| c.is_numeric()) {
            let s: &str = c.encode_utf8(&mut utf8);
            if one.is_match(s) {
                if let Some(l) = s.as_bytes().first().and_then(|&b| lead.get_mut(usize::from(b))) {
                    *l = true;
                }
            }
        }
        for l in lead.iter_mut().skip(0xF0) {
            *l = true;
        }
        lead
    })
}

/// Where the next ASCII digit at or after `from` is (16 bytes at a time
/// where there is none: most of a report is CJK text).
#[inline]
fn next_ascii_digit(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 16) {
        if chunk.iter().fold(false, |any, b| any | b.is_ascii_digit()) {
            break;
        }
        i += 16;
    }
    bytes.get(i..)?.iter().position(u8::is_ascii_digit).map(|k| i + k)
}

/// The byte spans [`number_re`] finds, found by hand when the text has no
/// digit other than 0–9 (the regex pass was the largest part of reading a
/// report's numbers); a text that may have one takes the regex. Leftmost-
/// first, as the regex: `\d{1,3}(,\d{3})+` when the run of digits is at most
/// three long and a comma and three digits follow, else the whole run; then
/// `[.·]\d+` when it follows.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let leads = other_digit_leads();
    if bytes.iter().fold(false, |any, &b| any | leads[usize::from(b)]) {
        return number_re().find_iter(text).map(|m| (m.start(), m.end())).collect();
    }
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let run_end = |mut i: usize| {
        while digit(i) {
            i += 1;
        }
        i
    };
    let mut spans = Vec::new();
    let mut pos = 0;
    while let Some(start) = next_ascii_digit(bytes, pos) {
        let mut end = run_end(start);
        if end - start <= 3 {
            // (,ddd)+ — each group exactly three digits.
            while bytes.get(end) == Some(&b',') && (1..=3).all(|k| digit(end + k)) {
                end += 4;
            }
        }
        // [.·]\d+
        let sep = match bytes.get(end..) {
            Some([b'.', ..]) => 1,
            Some([0xC2, 0xB7, ..]) => 2,
            _ => 0,
        };
        if sep > 0 && digit(end + sep) {
            end = run_end(end + sep);
        }
        spans.push((start, end));
        pos = end;
    }
    spans
}

/// Money units sorted longest first, e.g. [("万元", 1.0), ("元", 0.0001)].
#[derive(Debug, Clone)]
pub struct UnitTable {
    money: Vec<(String, f64)>,
}

impl UnitTable {
    pub fn new(units: &std::collections::BTreeMap<String, f64>) -> Self {
        let mut money: Vec<(String, f64)> = units.iter().map(|(k, v)| (k.clone(), *v)).collect();
        money.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(a.0.cmp(&b.0)));
        UnitTable { money }
    }
}

/// Every number of `text`, in order.
pub fn scan(text: &str, units: &UnitTable) -> Vec<Number> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for (m_start, m_end) in number_spans(text) {
        // Part of a code or an identifier (A3, 2019-1): not an amount.
        let prev = text[..m_start].chars().next_back();
        if prev.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        // O.5 万元, l.5 万元: a letter typed or recognised for a digit; the
        // figure is not the 5 after its point.
        if matches!(prev, Some('.' | '·')) {
            let mut back = text[..m_start].chars().rev().skip(1);
            if back.next().is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
        }
        let raw = &text[m_start..m_end];
        // Most numbers have neither thousands separators nor a middle dot: no copy.
        let clean: std::borrow::Cow<str> = if raw.contains([',', '·']) {
            raw.chars()
                .filter(|&c| c != ',')
                .map(|c| if c == '·' { '.' } else { c })
                .collect::<String>()
                .into()
        } else {
            raw.into()
        };
        let Ok(mut value) = clean.parse::<f64>() else { continue };
        let decimals = clean.split_once('.').map(|(_, d)| d.len() as u8).unwrap_or(0);
        let mut start = m_start;
        if start > 0 && bytes.get(start - 1) == Some(&b'-') {
            let before = text[..start - 1].chars().next_back();
            if !before.is_some_and(|c| c.is_ascii_alphanumeric()) {
                value = -value;
                start -= 1;
            }
        }
        let after = &text[m_end..];
        let ws = after.len() - after.trim_start_matches([' ', '\t']).len();
        let rest = &after[ws..];
        let (mut unit, mut unit_len) = unit_of(rest, units);
        // 95.8 5% / 12 34.56 万元 / 202 3 年: digits a space before may be this
        // number's head (a PDF spaced it, or a space separates thousands).
        // Read with its unit it could be a fragment, so it has none.
        if unit_len > 0 && follows_digits_and_space(&text[..start]) {
            (unit, unit_len) = (Unit::Bare, 0);
        }
        let end = if unit_len > 0 { m_end + ws + unit_len } else { m_end };
        out.push(Number {
            start,
            end,
            digits_end: m_end,
            value,
            unit,
            decimals,
        });
    }
    out
}

/// Whether the number at `text[start..end]` has digits a space before or
/// after it (12.46/1 3, 9 5.8): it may be a fragment of one spaced number.
pub fn spaced_from_digits(text: &str, start: usize, end: usize) -> bool {
    let after = text.get(end..).unwrap_or_default();
    let rest = after.trim_start_matches([' ', '\t']);
    (rest.len() < after.len() && rest.starts_with(|c: char| c.is_ascii_digit()))
        || follows_digits_and_space(text.get(..start).unwrap_or_default())
}

/// Whether `before` ends with a digit (or its `.`/`,`) and then spaces.
/// Or with a space and a `.` (95 .85%: the `.` is the spaced number's).
fn follows_digits_and_space(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\t']);
    (trimmed.len() < before.len() && trimmed.ends_with(|c: char| c.is_ascii_digit() || c == '.' || c == ','))
        || before.strip_suffix('.').is_some_and(|b| b.ends_with([' ', '\t']))
}

fn unit_of(rest: &str, units: &UnitTable) -> (Unit, usize) {
    for (name, factor) in &units.money {
        if let Some(after) = rest.strip_prefix(name.as_str()) {
            // 万 / 亿 alone followed by another noun (万人, 万份, 亿次) is a count.
            let next = after.chars().next();
            if !name.ends_with('元') && next.is_some_and(crate::normalize::is_cjk) && next != Some('元') {
                return (Unit::OtherCount, name.len());
            }
            return (Unit::Money(*factor), name.len());
        }
    }
    let first = rest.chars().next();
    match first {
        Some('%') => (Unit::Percent, 1),
        Some('‰') => (Unit::Permille, '‰'.len_utf8()),
        Some('分') => (Unit::Points, '分'.len_utf8()),
        // 28 人次, 120 人天, 第 3 名次: person-times, person-days and ranks count no people.
        Some('人') | Some('名') if rest.get(3..).is_some_and(|r| r.starts_with(['次', '天', '日'])) => {
            (Unit::OtherCount, 6)
        }
        Some('人') | Some('名') => (Unit::People, 3),
        Some('年') => (Unit::Year, 3),
        _ => (Unit::Bare, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> UnitTable {
        let rules = crate::config::Rules::bundled().unwrap();
        UnitTable::new(&rules.config.units)
    }

    fn first(s: &str) -> Number {
        scan(s, &table())[0]
    }

    #[test]
    fn units_convert_to_wan() {
        assert_eq!(first("823.55 万元").wan(), Some(823.55));
        assert_eq!(first("1,399,448元").wan(), Some(139.9448));
        assert!((first("89.13亿元").wan().unwrap() - 891300.0).abs() < 1e-6);
        assert_eq!(first("12·5万元").wan(), Some(12.5));
        assert_eq!(first("3万").wan(), Some(3.0));
    }

    #[test]
    fn people_in_wan_are_not_money() {
        assert_eq!(first("1.5万人").unit, Unit::OtherCount);
        assert_eq!(first("1.5万份").wan(), None);
    }

    #[test]
    fn percent_points_people_years() {
        assert_eq!(first("48.20%").fraction(), Some(0.482));
        assert_eq!(first("得 2.5 分").unit, Unit::Points);
        assert_eq!(first("编制 28 名").unit, Unit::People);
        assert_eq!(first("培训 28 人次").unit, Unit::OtherCount);
        assert_eq!(first("投入 120 人天").unit, Unit::OtherCount);
        assert_eq!(first("2023 年").unit, Unit::Year);
        assert_eq!(first("-6.53%").value, -6.53);
        assert_eq!(first("102.47/103.08").unit, Unit::Bare);
    }

    #[test]
    fn identifiers_are_skipped() {
        let n = scan("APP5 与 12345 热线", &table());
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].value, 12345.0);
    }

    /// A letter for a digit before the point (O.5, l.5): the digits after
    /// the point are no figure of their own; a point after a CJK word is
    /// left to the normaliser (a full stop), and 1.5 stays one figure.
    #[test]
    fn digits_after_a_letter_and_a_point_are_no_figure() {
        assert!(scan("收入合计O.5万元", &table()).is_empty());
        assert!(scan("收入合计l·5万元", &table()).is_empty());
        let n = scan("收入合计1.5万元", &table());
        assert_eq!((n.len(), n.first().map(|n| n.value)), (1, Some(1.5)));
    }
}

#[cfg(test)]
mod properties {
    //! The amount grammar over generated input: full-width and half-width
    //! digits, thousands separators, `·` as the decimal point, 元/万元/亿元 and
    //! percentages all read back the value that was written.
    use proptest::prelude::*;

    use super::*;

    fn table() -> &'static UnitTable {
        static T: std::sync::OnceLock<UnitTable> = std::sync::OnceLock::new();
        T.get_or_init(|| UnitTable::new(&crate::config::Rules::bundled().unwrap().config.units))
    }

    /// Digits, separators, numerics that are not decimal digits (², Ⅻ, 〇),
    /// a 2-byte non-digit (é) and CJK.
    const PIECES: &[&str] = &[
        "0", "1", "5", "9", "12", "345", "1234", ",", ",", ".", "·", "-", "a", "万", "元", "%", " ", "é", "²", "Ⅻ",
        "〇",
    ];

    /// Decimal digits other than 0–9: Arabic-Indic, Devanagari, full-width, and outside the BMP.
    const OTHER_DIGITS: &[&str] = &["٣", "३", "０", "\u{1D7CF}"];

    /// 1234567 → "1,234,567"
    fn with_commas(n: u64) -> String {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    fn full_width(s: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let fw: String = s
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
                ',' => '，',
                '.' => '．',
                '%' => '％',
                _ => c,
            })
            .collect();
        // What the normaliser hands to the grammar.
        fw.nfkc().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn money_reads_back(int in 0u64..10_000_000_000, cents in 0u32..100, unit in 0usize..3,
                            commas in any::<bool>(), fw in any::<bool>(), dot in any::<bool>(), prefix in "[收入支出合计为：]{0,4}") {
            let (name, factor) = [("元", 0.0001), ("万元", 1.0), ("亿元", 10000.0)][unit];
            let int_s = if commas { with_commas(int) } else { int.to_string() };
            let sep = if dot { "·" } else { "." };
            let mut s = format!("{prefix}{int_s}{sep}{cents:02}{name}");
            if fw { s = full_width(&s); }
            let nums = scan(&s, table());
            prop_assert_eq!(nums.len(), 1, "{}", s);
            let want = ((int as f64 + f64::from(cents) / 100.0) * factor * 1e6).round() / 1e6;
            let got = nums[0].wan().unwrap();
            prop_assert!((got - want).abs() <= want.abs() * 1e-12 + 1e-9, "{} → {} want {}", s, got, want);
        }

        #[test]
        fn percentages_are_fractions(int in 0u32..1000, frac in 0u32..100, fw in any::<bool>()) {
            let mut s = format!("控制率{int}.{frac:02}%");
            if fw { s = full_width(&s); }
            let nums = scan(&s, table());
            prop_assert_eq!(nums.len(), 1);
            let want = ((f64::from(int) + f64::from(frac) / 100.0) / 100.0 * 1e6).round() / 1e6;
            prop_assert_eq!(nums[0].fraction(), Some(want));
        }

        /// The hand-written scanner finds exactly the regex's matches: over
        /// ASCII digits, separators, numerics that are not decimal digits and
        /// CJK (the hand path), and with a digit of another script or outside
        /// the BMP put in now and then (the regex path).
        #[test]
        fn number_spans_are_the_regex_matches(picks in proptest::collection::vec(0usize..PIECES.len(), 0..60), other in 0usize..16) {
            let mut s: String = picks.iter().filter_map(|&i| PIECES.get(i).copied()).collect();
            if let Some(d) = OTHER_DIGITS.get(other) {
                let at = (0..=s.len()).filter(|&i| s.is_char_boundary(i)).nth(picks.len() / 2).unwrap_or(0);
                s.insert_str(at, d);
            }
            let want: Vec<(usize, usize)> = number_re().find_iter(&s).map(|m| (m.start(), m.end())).collect();
            prop_assert_eq!(number_spans(&s), want, "{:?}", s);
        }

        #[test]
        fn any_text_scans_without_panic(s in "\\PC{0,200}") {
            for n in scan(&s, table()) {
                prop_assert!(s.is_char_boundary(n.start) && s.is_char_boundary(n.end));
            }
        }
    }
}
