//! The backend has no terminal dependency: sources, operations and the domain types must
//! build without ratatui or crossterm (CONVENTIONS.md, "The backend has no ratatui
//! dependency"). A `use` of either anywhere under these folders fails this test.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn sources_ops_and_store_do_not_touch_the_terminal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["source", "store", "ops"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 5, "found the backend sources");
    let mut offenders = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains("ratatui") || line.contains("crossterm") {
                offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "terminal code in the backend:\n{}",
        offenders.join("\n")
    );
}
