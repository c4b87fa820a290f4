//! Hive-style partitioned output for runs shared between machines:
//! `reports/fiscal_year=2023/province=广东省/part-1-of-2.parquet`, the same
//! for every per-report table. Each shard writes only files named after
//! itself, so N machines can write into one dataset without coordination.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

use super::tables::{self, TableWriter};
use crate::model::{Field, FileRecord, FileStatus, Report, Value};

/// The value Hive, Spark and DuckDB read as NULL.
pub const NULL_VALUE: &str = "__HIVE_DEFAULT_PARTITION__";

/// The columns a dataset can be partitioned by.
pub const KEYS: [Field; 4] = [Field::FiscalYear, Field::Province, Field::City, Field::County];

/// How the outputs are laid out: one file per table, or partitioned folders
/// holding one part per shard.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub partition_by: Vec<Field>,
    /// `(k, n)`; `(1, 1)` for a run that is not sharded.
    pub shard: (u32, u32),
}

impl Layout {
    /// `partition_by`: column names of `reports` among [`KEYS`], in folder order.
    pub fn new(partition_by: &[String], shard: Option<(u32, u32)>) -> Result<Layout, String> {
        let mut keys = Vec::new();
        for name in partition_by {
            let name = name.trim();
            let field = KEYS.iter().copied().find(|f| f.name() == name).ok_or_else(|| {
                let allowed: Vec<&str> = KEYS.iter().map(|f| f.name()).collect();
                format!("cannot partition by {name:?}: choose from {}", allowed.join(", "))
            })?;
            if keys.contains(&field) {
                return Err(format!("{name} is named twice in --partition-by"));
            }
            keys.push(field);
        }
        Ok(Layout {
            partition_by: keys,
            shard: shard.unwrap_or((1, 1)),
        })
    }

    pub fn is_partitioned(&self) -> bool {
        !self.partition_by.is_empty()
    }

    fn part_tag(&self) -> String {
        format!("part-{}-of-{}", self.shard.0, self.shard.1)
    }

    /// The file each partition folder gets from this shard.
    pub fn part_file(&self) -> String {
        format!("{}.parquet", self.part_tag())
    }

    pub fn manifest_name(&self) -> String {
        if self.is_partitioned() {
            format!("manifest-{}.json", self.part_tag())
        } else {
            "manifest.json".into()
        }
    }

    pub fn workbook_name(&self) -> String {
        if self.is_partitioned() {
            format!("jixiao-{}.xlsx", self.part_tag())
        } else {
            "jixiao.xlsx".into()
        }
    }

    /// `summary_by_region` covers this shard's reports only.
    pub fn summary_name(&self) -> String {
        if self.is_partitioned() {
            format!("summary_by_region/{}", self.part_file())
        } else {
            "summary_by_region.parquet".into()
        }
    }

    /// `fiscal_year=2023/province=广东省` for a report.
    pub fn dir_of(&self, report: &Report) -> String {
        let parts: Vec<String> = self
            .partition_by
            .iter()
            .map(|&f| {
                let v = match report.facts.get(f) {
                    Some(Value::Int(i)) => i.to_string(),
                    Some(Value::Num(x)) => format!("{}", *x as i64),
                    Some(Value::Text(s)) if !s.is_empty() => escape(s),
                    _ => NULL_VALUE.to_string(),
                };
                format!("{}={v}", f.name())
            })
            .collect();
        parts.join("/")
    }

    /// The folder of rows that belong to no report (failed files, duplicates).
    fn null_dir(&self) -> String {
        let parts: Vec<String> = self
            .partition_by
            .iter()
            .map(|f| format!("{}={NULL_VALUE}", f.name()))
            .collect();
        parts.join("/")
    }
}

/// Characters Hive escapes in a partition value (`%XX`, which DuckDB and
/// Spark decode); Chinese names are written as they are.
fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if c.is_control() || "\"#%'*/:=?\\{[]^<>|".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if out.starts_with('.') {
        out.replace_range(0..1, "%2E");
    }
    out
}

/// Parts of another sharding (`part-1-of-3` when this run writes `-of-2`)
/// under the table folders: mixing them would count reports twice.
pub fn foreign_parts(out: &Path, layout: &Layout) -> Option<String> {
    let want = format!("-of-{}.parquet", layout.shard.1);
    for table in super::TABLES {
        let dir = out.join(table);
        if !dir.is_dir() {
            continue;
        }
        for e in walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy();
            if name.starts_with("part-") && name.ends_with(".parquet") && !name.ends_with(&want) {
                return Some(e.path().display().to_string());
            }
        }
    }
    None
}

/// One Parquet writer per table and partition folder, opened on first use.
pub struct PartitionedTables {
    out: PathBuf,
    layout: Layout,
    writers: BTreeMap<(&'static str, String), TableWriter>,
}

impl PartitionedTables {
    pub fn new(out: &Path, layout: Layout) -> Self {
        // Every partition keeps a file open until the end of the run.
        #[cfg(unix)]
        let _ = rlimit::increase_nofile_limit(u64::MAX);
        PartitionedTables {
            out: out.to_path_buf(),
            layout,
            writers: BTreeMap::new(),
        }
    }

    fn write(&mut self, table: &'static str, dir: &str, df: &DataFrame) -> Result<(), String> {
        if df.height() == 0 {
            return Ok(());
        }
        let key = (table, dir.to_string());
        if !self.writers.contains_key(&key) {
            let folder = self.out.join(table).join(dir);
            std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
            let tmp = folder.join(format!(".{}.tmp-{}", self.layout.part_file(), std::process::id()));
            self.writers.insert(key.clone(), TableWriter::new(table, tmp));
        }
        match self.writers.get_mut(&key) {
            Some(w) => w.write(df),
            None => Err("partition writer missing".into()),
        }
    }

    /// One batch: each report's rows go to its partition, without the
    /// partition columns (readers take them from the folder names).
    pub fn push(&mut self, reports: &[Report], files: &[FileRecord]) -> Result<(), String> {
        let mut groups: BTreeMap<String, Vec<&Report>> = BTreeMap::new();
        let mut dir_of_path: BTreeMap<&str, String> = BTreeMap::new();
        for r in reports {
            let dir = self.layout.dir_of(r);
            dir_of_path.insert(r.source_path.as_str(), dir.clone());
            groups.entry(dir).or_default().push(r);
        }
        let drop: Vec<&'static str> = self.layout.partition_by.iter().map(|f| f.name()).collect();
        for (dir, group) in &groups {
            for (name, mut df) in tables::report_tables(group)? {
                for col in &drop {
                    if df.get_column_index(col).is_some() {
                        df.drop_in_place(col).map_err(|e| e.to_string())?;
                    }
                }
                self.write(name, dir, &df)?;
            }
        }
        let null_dir = self.layout.null_dir();
        let mut file_groups: BTreeMap<String, Vec<&FileRecord>> = BTreeMap::new();
        for f in files {
            let dir = match f.status {
                FileStatus::Ok => dir_of_path.get(f.source_path.as_str()).cloned(),
                _ => None,
            };
            file_groups
                .entry(dir.unwrap_or_else(|| null_dir.clone()))
                .or_default()
                .push(f);
        }
        for (dir, group) in &file_groups {
            let df = tables::files(group)?;
            self.write("files", dir, &df)?;
        }
        Ok(())
    }

    /// Checks made after the last batch (across files), each into its
    /// report's partition folder.
    pub fn push_checks(&mut self, rows: &[(&str, &str, &crate::model::Check)]) -> Result<(), String> {
        let mut groups: BTreeMap<&str, Vec<(&str, &crate::model::Check)>> = BTreeMap::new();
        for &(dir, id, check) in rows {
            groups.entry(dir).or_default().push((id, check));
        }
        for (dir, group) in groups {
            self.write("checks", dir, &tables::checks_of(&group)?)?;
        }
        Ok(())
    }

    /// The temporary files, to be removed by an interrupted run (writers closed first).
    pub fn abandon(self) -> Vec<PathBuf> {
        self.writers.into_values().map(|w| w.tmp.clone()).collect()
    }

    /// Closes every part and renames it into place; parts this shard wrote
    /// in an earlier run into folders that got nothing now are removed.
    /// Returns the written paths, relative to the output folder.
    pub fn finish(self) -> Result<Vec<String>, String> {
        let part = self.layout.part_file();
        let empty = DataFrame::default();
        let mut written = BTreeSet::new();
        let mut done = Vec::new();
        for ((table, dir), w) in self.writers {
            let tmp = w.finish(&empty)?;
            let rel = format!("{table}/{dir}/{part}");
            done.push((tmp, rel.clone()));
            written.insert(rel);
        }
        for (tmp, rel) in &done {
            std::fs::rename(tmp, self.out.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
        }
        for table in super::TABLES {
            let root = self.out.join(table);
            if !root.is_dir() || table == "summary_by_region" {
                continue;
            }
            let stale: Vec<PathBuf> = walkdir::WalkDir::new(&root)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy() == part)
                .filter(|e| {
                    let rel = e
                        .path()
                        .strip_prefix(&self.out)
                        .map(|p| p.to_string_lossy().replace('\\', "/"));
                    rel.is_ok_and(|r| !written.contains(&r))
                })
                .map(|e| e.path().to_path_buf())
                .collect();
            for p in stale {
                let _ = std::fs::remove_file(&p);
            }
            // Folders left empty (contents first, so parents follow children).
            for e in walkdir::WalkDir::new(&root)
                .contents_first(true)
                .into_iter()
                .filter_map(Result::ok)
            {
                if e.file_type().is_dir() && e.path() != root {
                    let _ = std::fs::remove_dir(e.path());
                }
            }
        }
        Ok(written.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_or_repeated_keys_are_refused() {
        assert!(Layout::new(&["fiscal_year".into(), "province".into()], None).is_ok());
        let e = Layout::new(&["department".into()], None).unwrap_err();
        assert!(e.contains("fiscal_year, province, city, county"), "{e}");
        assert!(Layout::new(&["province".into(), "province".into()], None).is_err());
    }

    #[test]
    fn values_are_escaped_as_hive_does_and_chinese_is_kept() {
        assert_eq!(escape("广东省"), "广东省");
        assert_eq!(escape("a/b=c"), "a%2Fb%3Dc");
        assert_eq!(escape(".."), "%2E.");
    }

    #[test]
    fn names_carry_the_shard() {
        let l = Layout::new(&["province".into()], Some((2, 3))).unwrap();
        assert_eq!(l.part_file(), "part-2-of-3.parquet");
        assert_eq!(l.manifest_name(), "manifest-part-2-of-3.json");
        assert_eq!(l.workbook_name(), "jixiao-part-2-of-3.xlsx");
        let flat = Layout::new(&[], Some((2, 3))).unwrap();
        assert_eq!(flat.manifest_name(), "manifest.json");
    }
}
