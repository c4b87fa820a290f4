//! Build script: the engine's identity, `JIXIAO_ENGINE_ID`, a hash of every
//! source file and of Cargo.lock.
//!
//! The cache of a run is keyed by the engine as well as by the rules: facts
//! cached by an older jixiao must not come back from a rebuilt one whose
//! extraction changed while the package version stayed the same.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    files.sort();
    // SipHash with fixed keys: the same sources give the same identity.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files.iter().chain(std::iter::once(&PathBuf::from("Cargo.lock"))) {
        f.hash(&mut h);
        // A file that cannot be read counts as empty: the build goes on.
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=JIXIAO_ENGINE_ID={:016x}", h.finish());
}

/// Every file under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else {
            out.push(path);
        }
    }
}
