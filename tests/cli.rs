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
