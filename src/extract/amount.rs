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
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn number_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // 1,234.56 / 1234.56 / 12·5 (a middle dot used as decimal point).
    RE.get_or_init(|| Regex::new(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.·]\d+)?").unwrap_or_else(|_| unreachable!()))
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
    for m in number_re().find_iter(text) {
        // Part of a code or an identifier (A3, 2019-1): not an amount.
        let prev = text[..m.start()].chars().next_back();
        if prev.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let raw = m.as_str();
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
        let mut start = m.start();
        if start > 0 && bytes.get(start - 1) == Some(&b'-') {
            let before = text[..start - 1].chars().next_back();
            if !before.is_some_and(|c| c.is_ascii_alphanumeric()) {
                value = -value;
                start -= 1;
            }
        }
        let after = &text[m.end()..];
        let ws = after.len() - after.trim_start_matches([' ', '\t']).len();
        let rest = &after[ws..];
        let (unit, unit_len) = unit_of(rest, units);
        let end = if unit_len > 0 { m.end() + ws + unit_len } else { m.end() };
        out.push(Number {
            start,
            end,
            digits_end: m.end(),
            value,
            unit,
            decimals,
        });
    }
    out
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

        #[test]
        fn any_text_scans_without_panic(s in "\\PC{0,200}") {
            for n in scan(&s, table()) {
                prop_assert!(s.is_char_boundary(n.start) && s.is_char_boundary(n.end));
            }
        }
    }
}
