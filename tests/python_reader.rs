//! A Python reader agrees: pyarrow opens every Parquet file with the column
//! names and types of SCHEMA.md, and openpyxl opens the workbook.
//! `.ci/run` installs pyarrow and openpyxl; elsewhere the test is skipped
//! (with a message) when they are missing, but never under CI.

mod common;

use std::process::Command;

fn python_has_readers() -> bool {
    Command::new("python3")
        .args(["-c", "import pyarrow, openpyxl"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn pyarrow_and_openpyxl_read_the_outputs() {
    if !python_has_readers() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have pyarrow and openpyxl (python3 -m pip install pyarrow openpyxl)"
        );
        eprintln!("skipped: python3 -m pip install pyarrow openpyxl to run this test");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    common::run(&common::reports_dir(), &out, Some(2));
    let (ok, text) = common::python("check_outputs.py", &[&out]);
    assert!(ok, "{text}");
    assert!(text.contains("0 problems"), "{text}");
}
