//! The binary's own commands and flags that need no terminal: `snapshot` under NO_COLOR,
//! `--theme` errors, shell completions and the manual page.

use std::process::{Command, Output};

fn bosun(args: &[&str], env: &[(&str, &str)]) -> Output {
    let log = tempfile::NamedTempFile::new().unwrap();
    Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(args)
        .arg("--log-file")
        .arg(log.path())
        .env_remove("BOSUN_THEME")
        .env("BOSUN_CONFIG", "/nonexistent/bosun-config.toml")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn no_color_snapshots_carry_no_escape_codes() {
    for format in ["table", "json"] {
        let out = bosun(
            &["--demo", "--seed", "7", "snapshot", "services", "--format", format],
            &[
                ("NO_COLOR", "1"),
                ("TERM", "xterm-256color"),
                ("COLORTERM", "truecolor"),
            ],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("checkout"), "{text}");
        assert!(!text.contains('\x1b'), "an escape code in:\n{text:?}");
    }
}

#[test]
fn a_broken_theme_file_stops_bosun_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, "extends = \"light\"\n[roles]\nstatus_err = \"#ff000\"\n").unwrap();
    let out = bosun(&["--demo", "--theme", path.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let want = format!("bosun: {}:3:14: status_err: `#ff000` is not a colour", path.display());
    assert!(stderr.starts_with(&want), "{stderr}");

    std::fs::write(&path, "[roles]\nheadr = \"red\"\n").unwrap();
    let out = bosun(&["--demo", "--theme", path.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("bosun: {}:2:1: unknown role `headr`", path.display())),
        "{stderr}"
    );

    let out = bosun(&["--demo", "--theme", "pastel"], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("bosun: pastel: no built-in theme has that name"),
        "{stderr}"
    );
    assert!(stderr.contains("solarized-dark"), "{stderr}");
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef bosun"),
        ("fish", "complete -c bosun"),
        ("elvish", "edit:completion"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = bosun(&["completions", shell], &[]);
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell} completion lacks {marker:?}");
        assert!(text.contains("snapshot") && text.contains("theme"), "{shell}");
    }
}

#[test]
fn the_manual_page_is_roff() {
    let out = bosun(&["man"], &[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(".ie") || text.contains(".TH bosun"),
        "{}",
        &text[..200.min(text.len())]
    );
    assert!(
        text.contains("\\-\\-theme") || text.contains("--theme"),
        "documents --theme"
    );
    assert!(text.contains("NO_COLOR"));
    // The keys, from the keymap.
    assert!(text.contains(".SH KEYS"));
    assert!(text.contains(".TP\n\\fBy\\fR\ncopy the selection"), "{text}");
}

#[test]
fn snapshots_of_several_eks_clusters_say_which_cluster_each_row_is_in() {
    let out = bosun(&["--demo", "--seed", "7", "snapshot", "nodegroups"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("CLUSTER "), "{text}");
    let clusters: std::collections::BTreeSet<&str> = lines.map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(clusters, ["data-k8s", "platform-k8s"].into(), "{text}");

    let out = bosun(&["--demo", "--seed", "7", "snapshot", "pods", "--format", "json"], &[]);
    let pods: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pods = pods.as_array().unwrap();
    assert!(pods.iter().all(|p| p["cluster"].is_string() && p["key"].is_string()));
    assert!(pods.iter().any(|p| p["cluster"] == "data-k8s") && pods.iter().any(|p| p["cluster"] == "platform-k8s"));

    // One cluster: the table as the pods view shows it, no CLUSTER column.
    let out = bosun(
        &["--demo", "--seed", "7", "snapshot", "pods", "--cluster", "data-k8s"],
        &[],
    );
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("NAMESPACE "));
}

/// Every snapshot as Markdown: a table a Markdown parser (GitHub's flavour) reads as one
/// table, its header the table's columns, a row per row of the JSON, as many cells in each
/// row as in the header; a pipe in a cell stays inside it.
#[test]
fn every_snapshot_as_a_markdown_table() {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    /// The tables of a document: rows of cells (the header first).
    fn tables(text: &str) -> Vec<Vec<Vec<String>>> {
        let mut tables = Vec::new();
        let mut row: Vec<String> = Vec::new();
        let mut cell: Option<String> = None;
        for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::Table(_)) => tables.push(Vec::new()),
                Event::Start(Tag::TableHead | Tag::TableRow) => row = Vec::new(),
                Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                    tables.last_mut().unwrap().push(std::mem::take(&mut row));
                }
                Event::Start(Tag::TableCell) => cell = Some(String::new()),
                Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap_or_default().trim().to_string()),
                Event::Text(t) | Event::Code(t) => {
                    if let Some(c) = cell.as_mut() {
                        c.push_str(&t);
                    }
                }
                _ => {}
            }
        }
        tables
    }
    let demo = ["--demo", "--seed", "7", "snapshot"];
    let views: &[&[&str]] = &[
        &["fleet"],
        &["services", "--cluster", "prod-web"],
        &["tasks", "--cluster", "prod-web", "--stopped"],
        &["nodegroups"],
        &["pods", "--cluster", "platform-k8s"],
        &["pods", "--trouble"],
        &["apprunner"],
        &["ingresses", "--cluster", "platform-k8s"],
        &["secrets", "--cluster", "platform-k8s"],
    ];
    for view in views {
        fn args<'a>(demo: &[&'a str], view: &[&'a str], format: &'a str) -> Vec<&'a str> {
            let mut all: Vec<&str> = demo.to_vec();
            all.extend_from_slice(view);
            all.extend(["--format", format]);
            all
        }
        let out = bosun(&args(&demo, view, "markdown"), &[]);
        assert!(
            out.status.success(),
            "{view:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let found = tables(&text);
        assert_eq!(found.len(), 1, "{view:?}: one table:\n{text}");
        let table = &found[0];
        let header = &table[0];
        assert!(header.len() >= 3, "{view:?}: {header:?}");
        assert!(
            header
                .iter()
                .all(|h| !h.is_empty() && h.chars().all(|c| !c.is_lowercase())),
            "{view:?}: {header:?}"
        );
        for row in &table[1..] {
            assert_eq!(row.len(), header.len(), "{view:?}: {row:?} under {header:?}");
        }
        // As many rows as the JSON has.
        let json = bosun(&args(&demo, view, "json"), &[]);
        let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(table.len() - 1, rows.as_array().unwrap().len(), "{view:?}:\n{text}");
    }
    // Several clusters: the cluster is the first column.
    let out = bosun(
        &[
            "--demo",
            "--seed",
            "7",
            "snapshot",
            "nodegroups",
            "--format",
            "markdown",
        ],
        &[],
    );
    let table = &tables(&String::from_utf8_lossy(&out.stdout))[0];
    assert_eq!(table[0][0], "CLUSTER");
    assert!(table[1..].iter().any(|r| r[0] == "platform-k8s"), "{table:?}");
}

/// `bosun report`: one Markdown document a Markdown parser reads as headings and tables:
/// the service's health, deployments, why its tasks stopped, the alarms firing, events.
/// Without --cluster, with a bad --since or an unknown service: an error that says so.
#[test]
fn a_report_for_the_incident_channel() {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let out = bosun(
        &[
            "--demo",
            "--seed",
            "7",
            "report",
            "--cluster",
            "prod-web",
            "--service",
            "payments",
            "--since",
            "2h",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut headings = Vec::new();
    let mut tables = 0;
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(&text, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H2 => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => headings.extend(heading.take()),
            Event::Text(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Start(Tag::Table(_)) => tables += 1,
            _ => {}
        }
    }
    assert_eq!(
        headings,
        [
            "payments in prod-web: incident report",
            "Health",
            "Deployments",
            "Why tasks stopped",
            "Alarms firing",
            "Timeline"
        ],
        "{text}"
    );
    assert_eq!(tables, 5, "{text}");
    assert!(text.contains("Failing: **payments**"), "{text}");
    assert!(text.contains("OutOfMemoryError"), "{text}");
    assert!(text.contains("payments-memory-high"), "{text}");
    // The timeline: the alarm going off and the deployment before the trouble.
    assert!(
        text.contains("| alarm | prod-web | payments-memory-high | OK → ALARM"),
        "{text}"
    );
    assert!(text.contains("deployment started: payments:"), "{text}");

    let fails = |args: &[&str], says: &str| {
        let mut all = vec!["--demo", "--seed", "7", "report"];
        all.extend_from_slice(args);
        let out = bosun(&all, &[]);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    fails(&[], "needs --cluster");
    fails(&["--cluster", "prod-web", "--since", "yesterday"], "not a window");
    fails(
        &["--cluster", "prod-web", "--service", "nope"],
        "no service named `nope` in prod-web",
    );
}
