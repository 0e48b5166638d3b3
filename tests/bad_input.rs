//! Bad input of every kind: broken config files (the real binary, on the fixtures in
//! `tests/fixtures/config/`), keys it does not know, a bad environment, tiny terminals and
//! storms of resizes, names with unicode, emoji and 255 characters, and an account with no
//! clusters at all (an empty moto).

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use bosun::app::{Action, update};
use bosun::domain::fetch::{DataEvent, Fetch, Payload};
use bosun::store::Store;
use bosun::ui::keymap::{Command as Key, Keymap};
use bosun::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{demo_store, runtime, screen, type_line};
use unicode_width::UnicodeWidthStr;

fn fixture(name: &str) -> PathBuf {
    support::servers::repo().join("tests/fixtures/config").join(name)
}

/// `bosun ARGS` with `BOSUN_CONFIG` set to `config` and nothing else from this machine.
fn bosun(config: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let logs = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(args)
        .arg("--log-file")
        .arg(logs.path().join("bosun.log"))
        .env("BOSUN_CONFIG", config)
        .env_remove("BOSUN_REFRESH")
        .env_remove("BOSUN_REGION")
        .env_remove("BOSUN_READ_ONLY")
        .envs(env.iter().copied())
        .output()
        .expect("run bosun")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_malformed_config_names_the_file_line_column_and_problem() {
    let cases = [
        ("bad_syntax.toml", "1:13", "invalid boolean, expected `true`"),
        ("bad_type.toml", "3:8", "invalid type: string \"5s\", expected u64"),
        ("bad_key.toml", "3:8", "`hyper-h` is not a key"),
        (
            "unknown_command.toml",
            "2:1",
            "`fly` is not a command; commands are: help, command, refresh,",
        ),
        ("key_conflict.toml", "2:8", "`j` is already `down`"),
        (
            "alias_hides_command.toml",
            "2:1",
            "alias `q` would hide the built-in command :q",
        ),
    ];
    for (name, place, problem) in cases {
        let path = fixture(name);
        let out = bosun(&path, &[], &["--demo", "snapshot", "fleet"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        let expected = format!("bosun: {}:{place}: ", path.display());
        assert!(err.starts_with(&expected), "{name}: expected {expected:?}, got {err:?}");
        assert!(err.contains(problem), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing printed but the error");
    }
}

#[test]
fn unknown_keys_are_named_in_a_warning_not_an_error() {
    let path = fixture("unknown_keys.toml");
    let out = bosun(&path, &[], &["--demo", "--seed", "7", "snapshot", "services"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let p = path.display();
    assert_eq!(
        err,
        format!(
            "bosun: warning: {p}:1:1: unknown key `refresh_rate` (ignored)\n\
             bosun: warning: {p}:6:1: unknown key `actions.colour` (ignored)\n"
        )
    );
    // The keys it knows still count: `cluster` picked the services to show.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("checkout"), "{stdout}");
}

#[test]
fn every_setting_of_the_example_config_is_read_and_flags_win() {
    let path = fixture("full.toml");
    let out = bosun(&path, &[], &["--demo", "--seed", "7", "snapshot", "services"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warnings for the example config");
    let from_file = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(from_file.contains("checkout"), "{from_file}");
    // --cluster over the file's cluster.
    let out = bosun(
        &path,
        &[],
        &[
            "--demo",
            "--seed",
            "7",
            "--cluster",
            "prod-workers",
            "snapshot",
            "services",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let from_flag = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_ne!(from_flag, from_file);
}

#[test]
fn the_readme_config_example_is_valid() {
    let readme = std::fs::read_to_string(support::servers::repo().join("README.md")).unwrap();
    let section = &readme[readme.find("## Config").expect("a Config section")..];
    let start = section.find("```toml\n").expect("an example file") + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let config = bosun::config::file::Config::parse("README.md", example).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    assert!(!config.keys.is_empty() && !config.aliases.is_empty());
}

#[test]
fn the_readme_accounts_example_is_valid() {
    let readme = std::fs::read_to_string(support::servers::repo().join("README.md")).unwrap();
    let section = &readme[readme.find("## Accounts").expect("an Accounts section")..];
    let start = section.find("```toml\n").expect("an example file") + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let config = bosun::config::file::Config::parse("README.md", example).unwrap_or_else(|e| panic!("{e}"));
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    assert_eq!(config.profiles, ["prod-*", "staging"]);
    let org = config.organization.as_ref().expect("[organization]");
    assert_eq!(org.role_name, "OrganizationAccountAccessRole");
    assert_eq!(org.exclude.len(), 2);
    assert_eq!(config.accounts["prod-payments"].read_only, Some(true));
    assert_eq!(config.fleet.max_in_flight, Some(16));
    let payments = bosun::domain::account::Account::named("prod-payments", vec![]);
    assert!(
        config
            .guard(&[payments], false, None)
            .accounts
            .contains_key("prod-payments")
    );
}

#[test]
fn a_bad_environment_variable_is_named() {
    let none = PathBuf::from("/nonexistent/bosun/config.toml");
    let out = bosun(&none, &[("BOSUN_REFRESH", "soon")], &["--demo", "snapshot", "fleet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("bosun: BOSUN_REFRESH=soon: expected seconds"),
        "{}",
        stderr(&out)
    );
    let out = bosun(
        &none,
        &[("BOSUN_READ_ONLY", "perhaps")],
        &["--demo", "snapshot", "fleet"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("BOSUN_READ_ONLY=perhaps"), "{}", stderr(&out));
}

#[test]
fn a_storm_of_resizes_on_one_terminal_never_panics() {
    let mut store = demo_store();
    type_line(&mut store, Key::CommandLine, "cluster prod-web");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let theme = Theme::default();
    let keymap = Keymap::default();
    let mut sizes: Vec<(u16, u16)> = vec![(20, 5), (0, 0), (1, 1), (40, 8), (39, 8), (40, 7), (300, 100)];
    sizes.extend((0..200u16).map(|i| (1 + (i * 37) % 250, 1 + (i * 13) % 80)));
    for (w, h) in sizes {
        terminal.backend_mut().resize(w, h);
        terminal.resize(ratatui::layout::Rect::new(0, 0, w, h)).unwrap();
        update(&mut store, Action::Resize);
        terminal
            .draw(|frame| bosun::ui::render(frame, &store, &theme, &keymap))
            .unwrap();
    }
    let text = screen(&store, 20, 5);
    assert!(text.contains("terminal too small"), "{text}");
}

const NAMES: &[&str] = &[
    "支払い-サービス",
    "café-crème",
    "cafe\u{301}-combining",
    "🚀-launch-🔥",
    "👩\u{200d}💻-dev",
    "❤\u{fe0f}-love",
    "🇩🇪-flag",
    "Ünïcødé-ßervice",
];

fn long_name() -> String {
    "a".repeat(100) + &"ü".repeat(100) + &"x".repeat(55)
}

/// The demo's services of `prod-web`, renamed.
fn renamed_services(store: &mut Store) {
    let cluster = store.all_clusters().find(|c| c.name == "prod-web").unwrap().arn.clone();
    let mut services = store.cluster_data(&cluster).unwrap().services.items().to_vec();
    let mut names: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
    names.push(long_name());
    assert_eq!(long_name().chars().count(), 255);
    for (service, name) in services.iter_mut().zip(names.iter().cycle()) {
        service.name = name.clone();
    }
    update(
        store,
        Action::Data(DataEvent {
            fetch: Fetch::Services { cluster },
            at: store.now,
            result: Ok(Payload::Services(services)),
            digest: None,
        }),
    );
}

#[test]
fn unicode_emoji_and_long_names_render_aligned() {
    let mut store = demo_store();
    type_line(&mut store, Key::CommandLine, "cluster prod-web");
    renamed_services(&mut store);
    let theme = Theme::default();
    let keymap = Keymap::default();
    for (w, h) in [(160, 48), (100, 30), (80, 24), (40, 8), (41, 12)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|frame| bosun::ui::render(frame, &store, &theme, &keymap))
            .unwrap();
        let buffer = terminal.backend().buffer().clone();
        // Each row as a terminal shows it: a wide character covers the cell after it.
        let rows: Vec<std::collections::BTreeMap<usize, String>> = (0..h)
            .map(|y| {
                let mut cells = std::collections::BTreeMap::new();
                let mut x = 0;
                while x < w {
                    let symbol = buffer[(x, y)].symbol().to_string();
                    let width = symbol.width() as u16;
                    assert!(width >= 1, "{w}x{h}: a zero-width cell at ({x}, {y}): {symbol:?}");
                    cells.insert(x as usize, symbol);
                    x += width;
                }
                // No row is wider or narrower than the screen.
                assert_eq!(
                    x,
                    w,
                    "{w}x{h} row {y}: {:?}",
                    cells.values().cloned().collect::<String>()
                );
                cells
            })
            .collect();
        let text = |row: &std::collections::BTreeMap<usize, String>, from: usize, to: usize| -> String {
            row.range(from..to).map(|(_, s)| s.as_str()).collect()
        };
        // The column after NAME starts at the same cell on every row, after a blank.
        let Some((header_y, health_x)) = rows.iter().enumerate().find_map(|(y, row)| {
            row.keys()
                .copied()
                .find(|&x| text(row, x, x + 7) == " HEALTH")
                .map(|x| (y, x + 1))
        }) else {
            assert!(w < 60, "{w}x{h}: no HEALTH column");
            continue;
        };
        let mut rows_seen = 0;
        for row in &rows[header_y + 1..] {
            if row.get(&0).is_some_and(|s| s == "╰") {
                break; // the bottom of the table
            }
            let health = text(row, health_x, health_x + 9);
            if health.trim().is_empty() {
                continue;
            }
            rows_seen += 1;
            assert!(
                row.contains_key(&health_x) && row.get(&(health_x - 1)).is_some_and(|s| s == " "),
                "{w}x{h}: HEALTH column out of line: {:?}",
                text(row, 0, w as usize)
            );
            assert!(
                health.trim().chars().all(|c| c.is_ascii_alphabetic()),
                "{w}x{h}: HEALTH column out of line: {:?}",
                text(row, 0, w as usize)
            );
        }
        assert!(
            rows_seen >= (h as usize - 5).min(5),
            "{w}x{h}: only {rows_seen} rows in line:\n{}",
            screen(&store, w, h)
        );
    }
    // Each name is there, whole where it fits, cut with … where it does not.
    let text = screen(&store, 200, 48);
    for name in NAMES {
        // Emoji joiners and presentation selectors are dropped: terminals disagree on them.
        let shown = bosun::util::printable(name);
        assert!(text.contains(&*shown), "{name} missing:\n{text}");
    }
    assert!(text.contains("aaaaaaaaaa") && text.contains('…'), "{text}");
    // A filter in unicode finds its row.
    type_line(&mut store, Key::Filter, "支払い");
    let text = screen(&store, 100, 20);
    assert!(text.contains("支払い-サービス"), "{text}");
}

#[test]
fn an_account_with_no_clusters_says_so() {
    let moto = support::servers::Moto::start();
    let rt = runtime();
    let store = rt.block_on(async {
        let backend = support::servers::aws_backend(&moto.endpoint(), &["us-east-1", "eu-west-1"]).await;
        bosun::app::headless::load(&backend, bosun::app::headless::context(&backend, 5, false)).await
    });
    let text = screen(&store, 120, 20);
    assert!(
        text.contains(
            "no clusters or App Runner services in us-east-1, eu-west-1 (profile test): try another --region or --profile"
        ),
        "{text}"
    );
    assert!(text.contains("fleet [0]"), "{text}");
    assert!(!text.contains('✗'), "an empty account is not an error:\n{text}");
}
