//! The layers of the source tree, checked. Bottom up:
//!
//! ```text
//! util      helpers every layer may use: ARNs, ages, the files a user writes
//! domain    resources, reads (Fetch), writes (Op, Outcome), errors: plain data
//! source    all reads: AWS, Kubernetes, the simulated fleet, the scheduler
//! ops       all writes: the executor, the audit log, the operators
//! store     what the app knows: the domain's data, fresh or failing, and the UI state
//! ui        drawing: the screens (one module each), the table, theme, keymap, commands
//! app       the loop: input, data and outcomes in, the store changed, effects out
//! config    the config file and its layers, over the flags
//! snapshot  the headless views
//! report    a Markdown report of a cluster or service, from the headless views
//! cli       the command line: wires everything together
//! ```
//!
//! A module names only the layers below it that [`ALLOWED`] lists. Every `crate::` path
//! outside `#[cfg(test)]` code is read; a back edge fails with its file, line and path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module may name, besides itself.
const ALLOWED: &[(&str, &[&str])] = &[
    ("util", &[]),
    ("domain", &["util"]),
    ("source", &["domain", "util"]),
    ("ops", &["source", "domain", "util"]),
    ("store", &["domain", "util"]),
    ("ui", &["store", "domain", "util"]),
    ("app", &["ui", "store", "ops", "source", "domain", "util"]),
    ("config", &["ui", "source", "domain", "util"]),
    ("snapshot", &["ui", "store", "source", "domain", "util"]),
    ("report", &["snapshot", "ui", "store", "source", "domain", "util"]),
    (
        "cli",
        &[
            "report", "snapshot", "config", "app", "ui", "store", "ops", "source", "domain", "util",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
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

/// The top-level module a file belongs to: `src/ui/screens/pods.rs` → `ui`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The code of a file with comments blanked out and `#[cfg(test)]` items removed, line
/// numbers kept.
fn code_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block_comment = false;
    // While inside a `#[cfg(test)]` item: the brace depth at which it ends.
    let mut skip_until: Option<i32> = None;
    let mut pending_test = false;
    let mut depth = 0i32;
    for line in text.lines() {
        let mut code = String::new();
        let mut chars = line.chars().peekable();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            if in_block_comment {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    in_block_comment = false;
                }
                continue;
            }
            if in_string {
                code.push(' ');
                if c == '\\' {
                    chars.next();
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                '/' if chars.peek() == Some(&'/') => break,
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    in_block_comment = true;
                }
                '"' => {
                    in_string = true;
                    code.push(' ');
                }
                _ => code.push(c),
            }
        }
        let trimmed = code.trim();
        if skip_until.is_none() && trimmed.starts_with("#[cfg(test)]") {
            pending_test = true;
        }
        let opens = code.matches('{').count() as i32;
        let closes = code.matches('}').count() as i32;
        if pending_test && opens > 0 {
            skip_until = Some(depth);
            pending_test = false;
        }
        let skipping = skip_until.is_some() || pending_test;
        depth += opens - closes;
        if let Some(end) = skip_until
            && depth <= end
        {
            skip_until = None;
        }
        out.push(if skipping { String::new() } else { code });
    }
    out
}

/// The top-level modules a line of code names through `crate::`.
fn named_modules(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::X, b};`: every first word of the group.
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let word: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !word.is_empty() {
                    names.push(word);
                }
            }
            continue;
        }
        let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !word.is_empty() {
            names.push(word);
        }
    }
    names
}

/// Every edge `from → to` between top-level modules, with where it is.
fn edges(src: &Path) -> Vec<(String, String, String)> {
    let modules: BTreeSet<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Some(from) = module_of(src, &file) else { continue };
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in code_lines(&text).iter().enumerate() {
            for to in named_modules(line) {
                if to != from && modules.contains(to.as_str()) {
                    let shown = file.strip_prefix(src.parent().unwrap_or(src)).unwrap_or(&file);
                    let place = format!("{}:{}: {}", shown.display(), n + 1, line.trim());
                    out.push((from.clone(), to, place));
                }
            }
        }
    }
    out
}

#[test]
fn no_module_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    for module in &modules {
        assert!(
            allowed.contains_key(module.as_str()),
            "src/{module} is a top-level module the layers in tests/architecture.rs do not place: add it to ALLOWED"
        );
    }
    let edges = edges(&src);
    assert!(edges.len() > 100, "found the crate:: paths ({})", edges.len());
    let back: Vec<String> = edges
        .iter()
        .filter(|(from, to, _)| !allowed[from.as_str()].contains(&to.as_str()))
        .map(|(from, to, place)| format!("{from} → {to} (a layer above it): {place}"))
        .collect();
    assert!(back.is_empty(), "back edges:\n{}", back.join("\n"));
}

#[test]
fn the_layers_have_no_cycle() {
    // Every allowed edge goes to a module listed before it: the order is a topological one.
    for (i, (module, below)) in ALLOWED.iter().enumerate() {
        let earlier: Vec<&str> = ALLOWED[..i].iter().map(|(m, _)| *m).collect();
        for to in *below {
            assert!(earlier.contains(to), "{module} may name {to}, which is not below it");
        }
    }
}

#[test]
fn the_scanner_reads_paths_groups_and_skips_tests_and_comments() {
    let text = "use crate::domain::X;\n\
                // crate::app::not_this\n\
                let s = \"crate::cli\";\n\
                use crate::{store::Y, ui};\n\
                #[cfg(test)]\n\
                mod tests {\n\
                    use crate::app::Z;\n\
                }\n\
                fn f() { crate::ops::run() }\n";
    let found: Vec<Vec<String>> = code_lines(text).iter().map(|l| named_modules(l)).collect();
    assert_eq!(found[0], ["domain"]);
    assert!(found[1].is_empty() && found[2].is_empty(), "comments and strings");
    assert_eq!(found[3], ["store", "ui"]);
    assert!(found[6].is_empty(), "test code");
    assert_eq!(found[8], ["ops"]);
}

/// Sources, operations, the domain and the store never touch the terminal (CONVENTIONS.md,
/// "The backend has no ratatui dependency").
#[test]
fn sources_ops_domain_and_store_do_not_touch_the_terminal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["source", "store", "ops", "domain"] {
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
