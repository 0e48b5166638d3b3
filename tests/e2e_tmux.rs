//! End to end: the real binary, on the demo fleet and against moto, driven in tmux as a
//! person would.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    /// Start `bosun ARGS` in a detached tmux session of the given size. When bosun exits,
    /// its exit status is written to `status` in the session's directory.
    fn start(width: u16, height: u16, args: &str) -> Tmux {
        Tmux::start_with_env(width, height, args, &[])
    }

    fn start_with_env(width: u16, height: u16, args: &str, env: &[(&str, String)]) -> Tmux {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!(
            "bosun-e2e-{}-{}",
            std::process::id(),
            dir.path().file_name().unwrap().to_string_lossy()
        );
        let bin = env!("CARGO_BIN_EXE_bosun");
        let status = dir.path().join("status");
        let log = dir.path().join("bosun.log");
        // Set in the pane too: tmux gives a pane its own TERM.
        let exports: String = env.iter().map(|(k, v)| format!("export {k}='{v}'; ")).collect();
        let script = format!(
            "{exports}'{bin}' {args} --log-file '{}'; echo \"exit=$?\" > '{}'; sleep 30",
            log.display(),
            status.display()
        );
        let ok = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-s", "e2e"])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .args(["sh", "-c", &script])
            .env("TERM", "xterm-256color")
            // No config but the test's own: a developer's file must not change the outcome.
            .env("BOSUN_CONFIG", dir.path().join("config.toml"))
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .status()
            .expect("tmux is needed for the end-to-end test: scripts/test installs it");
        assert!(ok.success(), "tmux could not start a session");
        Tmux { socket, dir }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn send(&self, keys: &[&str]) {
        for key in keys {
            self.tmux(&["send-keys", "-t", "e2e", key]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn send_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Wait until every one of `texts` is on screen.
    fn wait_for(&self, texts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("waited for {texts:?}; the screen is:\n{screen}\nlog:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_gone(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "{text:?} stayed on screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn status(&self) -> Option<String> {
        std::fs::read_to_string(self.path("status"))
            .ok()
            .map(|s| s.trim().to_string())
    }

    fn wait_exit(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.status() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "bosun did not exit; the screen is:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("bosun.log")).unwrap_or_default()
    }

    fn path(&self, name: &str) -> PathBuf {
        Path::new(self.dir.path()).join(name)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

#[test]
fn drill_from_fleet_to_a_task_filter_help_and_quit() {
    let t = Tmux::start(120, 40, "--demo --seed 7");
    t.wait_for(&["fleet [10]", "prod-web", "prod-workers", "● live"]);

    // Filter the fleet, open the cluster.
    t.send(&["/"]);
    t.send_text("prod-web");
    t.send(&["Enter"]);
    t.wait_for(&["fleet [1/10] </prod-web>"]);
    t.send(&["Enter"]);
    t.wait_for(&["services(prod-web) [9]", "checkout", "payments"]);

    // Filter the services by column, open one.
    t.send(&["/"]);
    t.send_text("name:checkout");
    t.send(&["Enter"]);
    t.wait_for(&["services(prod-web) [1/9] </name:checkout>"]);
    t.send(&["Enter"]);
    t.wait_for(&["service(checkout)", "deployments [", "events [", "PRIMARY"]);

    // Into a task.
    t.send(&["Tab", "Enter"]);
    let screen = t.wait_for(&["task(", "containers [", "Task role", "checkout-task"]);
    assert!(
        screen.contains("prod-web › checkout ›"),
        "the breadcrumb follows:\n{screen}"
    );

    // Back out to the fleet: esc clears the services filter before leaving.
    t.send(&["Escape", "Escape"]);
    t.wait_for(&["services(prod-web) [1/9]"]);
    t.send(&["Escape"]);
    t.wait_for(&["services(prod-web) [9]"]);
    t.send(&["Escape"]);
    t.wait_for(&["fleet [1/10]"]);
    t.send(&["Escape"]);
    t.wait_for(&["fleet [10]"]);

    // Help, from the keymap.
    t.send(&["?"]);
    t.wait_for(&["help", "General", "this help", "column:value"]);
    t.send(&["Escape"]);
    t.wait_gone("this help");

    // Resize down to 80x24: still readable.
    t.tmux(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    let screen = t.wait_for(&["fleet [10]"]);
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "{screen}");

    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
    assert!(!t.log().contains("panicked"), "{}", t.log());
}

#[test]
fn ctrl_c_quits_cleanly_from_the_command_line() {
    let t = Tmux::start(100, 30, "--demo");
    t.wait_for(&["fleet [10]"]);
    t.send(&[":"]);
    t.send_text("svc");
    t.send(&["C-c"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

#[test]
fn the_command_line_jumps_to_a_service() {
    let t = Tmux::start(100, 30, "--demo");
    t.wait_for(&["fleet [10]", "prod-workers"]);
    t.send(&[":"]);
    t.send_text("cluster prod-work");
    t.send(&["Tab"]);
    t.wait_for(&[":cluster prod-workers"]);
    t.send(&["Enter"]);
    t.wait_for(&["services(prod-workers) [7]"]);
    t.send(&[":"]);
    t.send_text("svc legacy");
    t.send(&["Enter"]);
    t.wait_for(&["service(legacy-reports)", "idle"]);
    t.send(&[":"]);
    t.send_text("q");
    t.send(&["Enter"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

#[test]
fn against_moto_an_outage_shows_in_the_pane_and_clears() {
    use support::servers::{Moto, Proxy, aws_env};
    let moto = Moto::start();
    moto.seed("small");
    let proxy = Proxy::start(moto.port);
    let t = Tmux::start_with_env(100, 30, "--cluster small --refresh 1", &aws_env(&proxy.endpoint()));
    t.wait_for(&["services(small) [2]", "web", "api", "calls/min", "● live"]);

    proxy.set_up(false);
    let screen = t.wait_for(&["✗ ECS ListServices in us-east-1 failed"]);
    assert!(
        screen.contains("web") && screen.contains("api"),
        "the last good data stays:\n{screen}"
    );

    proxy.set_up(true);
    t.send(&["C-r"]);
    t.wait_gone("✗ ECS ListServices");
    t.wait_for(&["● live"]);
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

#[test]
fn scale_a_service_and_stop_a_task_in_the_demo_fleet() {
    let audit = tempfile::tempdir().unwrap();
    let audit_log = audit.path().join("audit.log");
    let t = Tmux::start(
        120,
        40,
        &format!("--demo --seed 7 --audit-log '{}'", audit_log.display()),
    );
    t.wait_for(&["fleet [10]"]);
    t.send(&[":"]);
    t.send_text("cluster prod-web");
    t.send(&["Enter", ":"]);
    t.send_text("svc cart");
    t.send(&["Enter"]);
    t.wait_for(&["service(cart)", "running 4/4"]);

    // Scale 4 → 6: the dialog shows the change; y sends it; the summary follows.
    t.send(&["S"]);
    t.wait_for(&["Scale cart", "desired count (now 4"]);
    t.send(&["BSpace"]);
    t.send_text("6");
    t.send(&["Enter"]);
    t.wait_for(&["desired 4 → 6", "y: send it"]);
    t.send(&["y"]);
    t.wait_for(&["/6 · pending"]);

    // Stop the first task of the service, with the default reason.
    t.send(&["Tab"]);
    t.send(&["X"]);
    t.wait_for(&[
        "Stop task",
        "reason (recorded on the task)",
        "Stopped by OnCallEngineer/demo with bosun",
    ]);
    t.send(&["Enter"]);
    t.wait_for(&["stop, with reason: Stopped by OnCallEngineer/demo with bosun"]);
    t.send(&["y"]);
    t.wait_for(&["✓ stop task", "settled"]);

    let log = std::fs::read_to_string(&audit_log).unwrap();
    let actions: Vec<&str> = log.lines().collect();
    assert_eq!(actions.len(), 2, "{log}");
    assert!(actions[0].contains("\"action\":\"scale\"") && actions[0].contains("\"result\":\"ok\""));
    assert!(actions[1].contains("\"action\":\"stop task\"") && actions[1].contains("\"result\":\"ok\""));

    // What changed: the service's timeline has both actions and who sent them.
    t.send(&["w"]);
    t.wait_for(&[
        "cart › timeline 1h",
        "OnCallEngineer/demo: scale",
        "OnCallEngineer/demo: stop task",
    ]);
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");

    // The next session reads them back from the audit log: the fleet's timeline has them.
    let t = Tmux::start(
        120,
        40,
        &format!("--demo --seed 7 --audit-log '{}'", audit_log.display()),
    );
    t.wait_for(&["fleet [10]"]);
    t.send(&["w"]);
    t.wait_for(&["fleet › timeline 1h", "service cart", "OnCallEngineer/demo: scale"]);
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

#[test]
fn read_only_mode_is_marked_and_refuses_actions() {
    let audit = tempfile::tempdir().unwrap();
    let t = Tmux::start(
        100,
        30,
        &format!(
            "--demo --seed 7 --read-only --audit-log '{}'",
            audit.path().join("a.log").display()
        ),
    );
    t.wait_for(&["READ-ONLY", "fleet [10]"]);
    t.send(&[":"]);
    t.send_text("cluster prod-web");
    t.send(&["Enter"]);
    t.wait_for(&["services(prod-web)"]);
    t.send(&["S"]);
    t.wait_for(&["refused: read-only mode (--read-only)"]);
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

#[test]
fn against_moto_throttling_keeps_the_data_and_clears() {
    use support::servers::{FaultProxy, Moto, aws_env};
    let moto = Moto::start();
    moto.seed("small");
    let faults = FaultProxy::start(&moto.endpoint());
    let t = Tmux::start_with_env(100, 30, "--cluster small --refresh 1", &aws_env(&faults.endpoint()));
    t.wait_for(&["services(small) [2]", "web", "api", "● live"]);

    // Throttling, server errors, lost connections and slow answers, for a while.
    faults.set(serde_json::json!({"throttle": 0.5, "error503": 0.1, "reset": 0.05, "latency": 0.1}));
    let secs: u64 = std::env::var("BOSUN_FAULT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .min(10);
    let end = Instant::now() + Duration::from_secs(secs);
    let mut errors = 0;
    while Instant::now() < end {
        let screen = t.screen();
        assert!(
            t.status().is_none(),
            "bosun exited under faults:\n{screen}\n{}",
            t.log()
        );
        assert!(
            screen.contains("web") && screen.contains("api"),
            "the last good data stays:\n{screen}"
        );
        if screen.contains("✗ ECS ListServices") || screen.contains("✗ ECS DescribeServices") {
            errors += 1;
            assert!(screen.contains("old"), "the age of the data is shown:\n{screen}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(errors > 0, "no error shown in {secs} s of faults");

    // Faults off: current again once the backoff (at most 30 s) runs out, no key pressed.
    faults.calm();
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let screen = t.screen();
        if screen.contains("● live") && !screen.contains("✗") {
            break;
        }
        assert!(Instant::now() < deadline, "still not current:\n{screen}");
        std::thread::sleep(Duration::from_millis(200));
    }
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
    assert!(!t.log().contains("panicked"), "{}", t.log());
}

#[test]
fn the_config_file_sets_the_view_keys_and_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "default_view = \"services\"\ncluster = \"prod-web\"\nrefresh_rate = 5\n\n\
         [keys]\nquit = \"x\"\nhelp = \"f1\"\n\n[aliases]\npay = \"svc payments\"\n",
    )
    .unwrap();
    let t = Tmux::start_with_env(
        100,
        30,
        "--demo --seed 7",
        &[("BOSUN_CONFIG", config.display().to_string())],
    );
    // Straight to the cluster's services, and the unknown key named in the status line.
    t.wait_for(&["services(prod-web)", "unknown key `refresh_rate`"]);
    t.send(&[":"]);
    t.send_text("pay");
    t.send(&["Enter"]);
    t.wait_for(&["service(payments)"]);
    // `q` is no longer quit; `f1` is help; `x` quits.
    t.send(&["q"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(t.status().is_none(), "q still quits");
    t.send(&["F1"]);
    t.wait_for(&["this help"]);
    t.send(&["Escape"]);
    t.wait_gone("this help");
    t.send(&["x"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

#[test]
fn a_storm_of_resizes_and_a_tiny_terminal_do_not_break_it() {
    let t = Tmux::start(120, 40, "--demo --seed 7");
    t.wait_for(&["fleet [10]", "● live"]);
    for i in 0..60u16 {
        let (w, h) = match i % 4 {
            0 => (20, 5),
            1 => (200 - i, 60),
            2 => (41 + i, 9),
            _ => (80, 24),
        };
        t.tmux(&["resize-window", "-t", "e2e", "-x", &w.to_string(), "-y", &h.to_string()]);
    }
    t.tmux(&["resize-window", "-t", "e2e", "-x", "20", "-y", "5"]);
    t.wait_for(&["terminal", "small"]);
    t.tmux(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"]);
    t.wait_for(&["fleet [10]"]);
    assert!(t.status().is_none(), "bosun exited:\n{}", t.log());
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
    assert!(!t.log().contains("panicked"), "{}", t.log());
}

/// The SGR parameters of every `ESC [ ... m` in `text`.
fn sgr_params(text: &str) -> Vec<u32> {
    let mut params = Vec::new();
    for chunk in text.split("\x1b[").skip(1) {
        if let Some(end) = chunk.find('m')
            && chunk[..end].chars().all(|c| c.is_ascii_digit() || c == ';')
        {
            params.extend(chunk[..end].split(';').filter_map(|p| p.parse::<u32>().ok()));
        }
    }
    params
}

#[test]
fn no_color_a_mouse_click_and_a_copy_in_a_real_terminal() {
    let t = Tmux::start_with_env(120, 40, "--demo --seed 7", &[("NO_COLOR", "1".into())]);
    let screen = t.wait_for(&["fleet [10]", "prod-workers", "● live"]);
    let styled = t.tmux(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    let params = sgr_params(&styled);
    let colours: Vec<&u32> = params
        .iter()
        .filter(|p| matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107))
        .collect();
    assert!(colours.is_empty(), "colours under NO_COLOR: {colours:?}\n{styled:?}");
    assert!(params.contains(&7), "the selection is reversed:\n{styled:?}");

    // A click on a row selects it (SGR mouse report: button 0 down and up, 1-based).
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("prod-workers"))
        .unwrap();
    let x = line.find("prod-workers").unwrap();
    let (col, row) = (x + 3, y + 1);
    t.send_text(&format!("\x1b[<0;{col};{row}M\x1b[<0;{col};{row}m"));
    // y copies its ARN to the clipboard: tmux keeps it when set-clipboard is on.
    t.tmux(&["set-option", "-g", "set-clipboard", "on"]);
    std::thread::sleep(Duration::from_millis(300));
    t.send(&["y"]);
    let screen = t.wait_for(&["copied arn:aws:ecs:"]);
    assert!(screen.contains(":cluster/prod-workers"), "{screen}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !t.tmux(&["show-buffer"]).contains(":cluster/prod-workers") {
        assert!(
            Instant::now() < deadline,
            "the clipboard: {:?}",
            t.tmux(&["show-buffer"])
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send(&["u"]);
    t.wait_for(&[
        "(copied)",
        "console.aws.amazon.com/ecs/v2/clusters/prod-workers/services?region=",
    ]);

    // The mouse goes back to the terminal when bosun exits.
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
    let flags = t.tmux(&[
        "display-message",
        "-p",
        "-t",
        "e2e",
        "#{mouse_any_flag}#{mouse_standard_flag}#{mouse_sgr_flag}",
    ]);
    assert_eq!(flags.trim(), "000", "mouse reporting left on");
}

#[test]
fn a_theme_file_and_sixteen_colours() {
    let dir = tempfile::tempdir().unwrap();
    let theme = dir.path().join("ops.toml");
    std::fs::write(
        &theme,
        "extends = \"light\"\n[roles]\nrow_selected = { fg = \"white\", bg = \"#d70087\" }\n",
    )
    .unwrap();
    let args = format!("--demo --seed 7 --theme '{}'", theme.display());
    let t = Tmux::start_with_env(
        80,
        24,
        &args,
        &[
            ("NO_COLOR", String::new()),
            ("TERM", "xterm".into()),
            ("COLORTERM", String::new()),
        ],
    );
    t.wait_for(&["fleet [10]", "prod-web"]);
    let styled = t.tmux(&["capture-pane", "-p", "-e", "-t", "e2e"]);
    // tmux writes every colour as `38;5;N` / `48;5;N`: 16 colours only means N < 16, and
    // no 24-bit `38;2;R;G;B`. The selection's #d70087 comes down to magenta (5).
    let sequences: Vec<Vec<u32>> = styled
        .split("\x1b[")
        .skip(1)
        .filter_map(|chunk| {
            let end = chunk.find('m')?;
            Some(chunk[..end].split(';').filter_map(|p| p.parse().ok()).collect())
        })
        .collect();
    let mut backgrounds = Vec::new();
    for params in &sequences {
        for (i, p) in params.iter().enumerate() {
            if *p == 38 || *p == 48 {
                assert_eq!(params.get(i + 1), Some(&5), "a 24-bit colour: {params:?}");
                let index = params[i + 2];
                assert!(index < 16, "a 256-palette colour {index}: {params:?}");
                if *p == 48 {
                    backgrounds.push(index);
                }
            }
        }
    }
    assert!(
        backgrounds.contains(&5),
        "a magenta selection: {backgrounds:?}\n{styled:?}"
    );
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

#[test]
fn delete_a_crash_looping_pod_and_cordon_a_node_in_the_demo_eks_cluster() {
    let audit = tempfile::tempdir().unwrap();
    let audit_log = audit.path().join("audit.log");
    let t = Tmux::start(
        120,
        40,
        &format!(
            "--demo --seed 7 --cluster platform-k8s --audit-log '{}'",
            audit_log.display()
        ),
    );
    t.wait_for(&["eks(platform-k8s)", "node groups [2]", "general-a"]);
    t.send(&[":"]);
    t.send_text("pods");
    t.send(&["Enter", "/"]);
    t.send_text("crashloop");
    t.send(&["Enter"]);
    let screen = t.wait_for(&["pods(all) [2/24]", "CrashLoopBackOff"]);
    let victim = screen
        .lines()
        .find(|l| l.contains("CrashLoopBackOff"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("payments-")))
        .unwrap()
        .to_string();

    // X on a pod: delete, with its controller named; y sends it; the replacement appears.
    t.send(&["X"]);
    t.wait_for(&[
        &format!("Delete pod {victim}"),
        "ReplicaSet/payments-",
        "starts a replacement",
    ]);
    t.send(&["y"]);
    t.wait_for(&["✓ delete pod"]);
    t.send(&["Escape"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = t.screen();
        if !screen.contains(&victim) && screen.contains("pods(all) [24]") {
            break;
        }
        assert!(Instant::now() < deadline, "the pod was not replaced:\n{screen}");
        std::thread::sleep(Duration::from_millis(200));
    }

    // D on a node: cordon.
    t.send(&[":"]);
    t.send_text("nodes");
    t.send(&["Enter"]);
    t.send(&["j", "D"]);
    t.wait_for(&["Cordon ip-", "schedulable → cordoned"]);
    t.send(&["y"]);
    t.wait_for(&["SchedulingDisabled"]);

    let log = std::fs::read_to_string(&audit_log).unwrap();
    let actions: Vec<&str> = log.lines().collect();
    assert_eq!(actions.len(), 2, "{log}");
    assert!(actions[0].contains("\"action\":\"delete pod\"") && actions[0].contains("\"result\":\"ok\""));
    assert!(actions[1].contains("\"action\":\"cordon\"") && actions[1].contains("\"result\":\"ok\""));
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

/// App Runner against its emulator and moto, in the real binary: the fleet shows the
/// services with their URL, `:apprunner` lists them worst first, `enter` opens one, `R`
/// deploys it after the confirmation and the status bar follows the operation until it
/// settles; the audit log has the action.
#[test]
fn against_the_app_runner_emulator_deploy_and_follow_to_settled() {
    use support::servers::{AppRunner, CborProxy, Moto, aws_env};
    let apprunner = AppRunner::start(&["--operation-seconds", "2"]);
    let moto = Moto::start();
    let cloudwatch = CborProxy::start(&moto.endpoint());
    let mut env = aws_env(&moto.endpoint());
    env.push(("AWS_ENDPOINT_URL_APPRUNNER", apprunner.endpoint()));
    env.push(("BOSUN_NO_APPRUNNER", "0".into()));
    env.push(("AWS_ENDPOINT_URL_CLOUDWATCH", cloudwatch.endpoint()));
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.log");
    let args = format!("--region us-east-1 --refresh 1 --audit-log '{}'", audit.display());
    let t = Tmux::start_with_env(170, 30, &args, &env);
    t.wait_for(&["pricing-api", "App Runner", "failing", "storefront", "awsapprunner.com"]);
    t.send(&[":"]);
    t.send_text("apprunner");
    t.send(&["Enter"]);
    let screen = t.wait_for(&["App Runner [4]", "REQ 1H"]);
    let first = screen
        .lines()
        .find(|l| l.contains("RUNNING") || l.contains("PAUSED"))
        .unwrap_or_default();
    assert!(first.contains("pricing-api"), "worst first:\n{screen}");
    t.send(&["/"]);
    t.send_text("storefront");
    t.send(&["Enter", "Enter"]);
    t.wait_for(&[
        "App Runner · storefront",
        "high-availability (revision 2)",
        "operations [3]",
    ]);
    t.send(&["R"]);
    t.wait_for(&["Deploy storefront", "deploy the latest image"]);
    t.send(&["y"]);
    t.wait_for(&["storefront: deployment in_progress"]);
    t.wait_for(&["✓ start deployment App Runner service storefront: settled"]);
    t.wait_for(&["operations [4]", "SUCCEEDED"]);
    let audit = std::fs::read_to_string(&audit).unwrap();
    assert!(
        audit.contains("\"action\":\"start deployment\"") && audit.contains("\"result\":\"ok\""),
        "{audit}"
    );
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

/// Against moto: the seeded `web` service moved to its next task definition with the AWS
/// CLI (and `extra` arguments of update-service), then bosun in tmux on its history, the
/// two deployments listed.
fn web_history_after_an_update(extra: &[&str]) -> (Tmux, support::servers::Moto) {
    use support::servers::{Moto, aws_env, aws_json};
    let moto = Moto::start();
    let seeded = moto.seed("ops");
    let next = seeded["revisions"]["web"][0].as_str().unwrap();
    let mut args = vec![
        "ecs",
        "update-service",
        "--cluster",
        "small",
        "--service",
        "web",
        "--task-definition",
        next,
    ];
    args.extend(extra);
    aws_json(&moto.endpoint(), &args);
    let t = Tmux::start_with_env(120, 40, "--cluster small --refresh 1", &aws_env(&moto.endpoint()));
    t.wait_for(&["services(small) [2]", "web"]);
    t.send(&[":"]);
    t.send_text("svc web");
    t.send(&["Enter"]);
    t.wait_for(&["service(web)"]);
    t.send(&["h"]);
    t.wait_for(&["deployments(web) [2]", "web:1 → web:2"]);
    (t, moto)
}

/// Against moto: a deployment in progress in the service's history (`h`), what it changed
/// (`enter`), then stopped and rolled back (`X`, `y`), read back as ECS records it.
#[test]
fn against_moto_a_deployment_in_progress_is_rolled_back() {
    let (t, _moto) = web_history_after_an_update(&[]);
    t.wait_for(&["in progress"]);
    t.send(&["Enter"]);
    t.wait_for(&["What it changed", "task definition", "web:1", "web:2"]);
    t.send(&["X"]);
    t.wait_for(&["Roll back the deployment of web", "roll back to web:1", "y: send it"]);
    t.send(&["y"]);
    t.send(&["Escape"]);
    t.wait_for(&["rollback requested"]);
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

/// Against moto: after a deployment that changed the task definition and moved the
/// service to Fargate Spot, `B` on the deployment before it (`j`) confirms each field that
/// goes back and, sent, shows as a new deployment back to that revision.
#[test]
fn against_moto_a_whole_service_revision_goes_back() {
    let (t, _moto) = web_history_after_an_update(&[
        "--force-new-deployment",
        "--capacity-provider-strategy",
        "capacityProvider=FARGATE_SPOT,weight=1",
    ]);
    t.send(&["j"]);
    t.send(&["B"]);
    t.wait_for(&[
        "Roll web back to the deployment of",
        "back to service revision",
        "task definition: web:2 → web:1",
        "capacity providers: FARGATE_SPOT base 0 weight 1 → -",
        "y: send it",
    ]);
    t.send(&["y"]);
    t.wait_for(&["deployments(web) [3]", "web:2 → web:1"]);
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Against moto, with the stand-in `session-manager-plugin` on PATH: `s` on a task with
/// two containers asks which, ECS Exec hands the terminal to the plugin, a command typed
/// is answered, `exit` comes back to bosun as it was. `:forward` listens on a local port
/// whose bytes come back through the plugin; `:forwards` counts them and `X` stops it.
/// The audit log has each session's start and end.
#[test]
fn against_moto_a_shell_in_a_task_and_a_forward_through_it() {
    use support::servers::{Moto, aws_env, echo_through, exec_fleet, repo};
    let moto = Moto::start();
    let fleet = exec_fleet(&moto);
    let task_id = fleet.task.rsplit('/').next().unwrap().to_string();
    let audit = tempfile::tempdir().unwrap();
    let audit_log = audit.path().join("audit.log");
    let mut env = aws_env(&moto.endpoint());
    env.push((
        "PATH",
        format!(
            "{}:{}",
            repo().join("tests/servers").display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    ));
    let t = Tmux::start_with_env(
        120,
        40,
        &format!("--cluster exec --refresh 2 --audit-log '{}'", audit_log.display()),
        &env,
    );
    t.wait_for(&["services(exec)"]);
    t.send(&[":"]);
    t.send_text("tasks");
    t.send(&["Enter"]);
    t.wait_for(&["tasks(exec) [2]"]);
    t.send(&["/"]);
    t.send_text(&task_id[..8]);
    t.send(&["Enter"]);
    t.wait_for(&["tasks(exec) [1/2]"]);
    t.send(&["s"]);
    t.wait_for(&["container (app, sidecar)"]);
    t.send(&["BSpace", "BSpace", "BSpace"]);
    t.send_text("nope");
    t.send(&["Enter"]);
    t.wait_for(&["`nope` is not one of app, sidecar"]);
    t.send(&["BSpace", "BSpace", "BSpace", "BSpace"]);
    t.send_text("app");
    t.send(&["Enter"]);
    t.wait_for(&["Starting session with SessionId", "\n#"]);
    t.send_text("hostname");
    t.send(&["Enter"]);
    t.wait_for(&[&task_id]);
    t.send_text("exit");
    t.send(&["Enter"]);
    let back = t.wait_for(&["tasks(exec) [1/2]", "ended (exit 0)"]);
    assert!(
        back.contains(&task_id[..8]),
        "the filter and the row are as they were:\n{back}"
    );

    let port = free_port();
    t.send(&[":"]);
    t.send_text(&format!("forward {port}:8080 app"));
    t.send(&["Enter"]);
    t.wait_for(&[&format!("forwarding 127.0.0.1:{port}")]);
    assert_eq!(echo_through(port, b"ping through the task"), b"ping through the task");
    t.send(&[":"]);
    t.send_text("forwards");
    t.send(&["Enter"]);
    t.wait_for(&["port forwards · 1 listening", &format!("127.0.0.1:{port}"), "21 B"]);
    t.send(&["X"]);
    t.wait_for(&["stopped", "port forwards · 0 listening"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "the stopped forward still listens");
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
    let log = std::fs::read_to_string(&audit_log).unwrap();
    let lines: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let of = |action: &str, result: &str| {
        lines
            .iter()
            .filter(|l| l["action"] == action && l["result"] == result)
            .count()
    };
    assert_eq!((of("exec", "started"), of("exec", "ended")), (1, 1), "{log}");
    assert_eq!((of("forward", "started"), of("forward", "ended")), (1, 1), "{log}");
    let exec = lines.iter().find(|l| l["action"] == "exec").unwrap();
    assert_eq!(exec["parameters"]["container"], "app");
    assert_eq!(exec["parameters"]["command"], "/bin/sh");
    assert_eq!(exec["parameters"]["resource"], fleet.task.as_str());
    assert_eq!(exec["cluster"], fleet.cluster.as_str());
}

/// Against the Kubernetes API emulator (an EKS cluster in moto, its API through a
/// kubeconfig): `s` on a pod with two containers asks which, the exec is a TTY through the
/// API server, a command typed is answered, `exit` comes back; `:forward` to the pod's port
/// carries bytes through the portforward subresource.
#[test]
fn against_the_kubernetes_emulator_exec_in_a_pod_and_forward_to_it() {
    use support::servers::{aws_env, echo_through, kube_world};
    let k = kube_world();
    let mut env = aws_env(&k.moto.endpoint());
    env.push(("KUBECONFIG", k.config.display().to_string()));
    let t = Tmux::start_with_env(120, 40, "--refresh 2", &env);
    t.wait_for(&["platform"]);
    t.send(&[":"]);
    t.send_text("eks platform");
    t.send(&["Enter"]);
    t.wait_for(&["› platform"]);
    t.send(&[":"]);
    t.send_text("pods");
    t.send(&["Enter"]);
    t.wait_for(&["checkout-6d8f9c7b5d-2xk9p"]);
    t.send(&["/"]);
    t.send_text("2xk9p");
    t.send(&["Enter"]);
    t.wait_for(&["[1/"]);
    t.send(&["s"]);
    t.wait_for(&["container (checkout, envoy)"]);
    t.send(&["Enter"]);
    t.wait_for(&["/bin/sh in shop/checkout-6d8f9c7b5d-2xk9p/checkout"]);
    t.send_text("echo hello from the pod");
    t.send(&["Enter"]);
    t.wait_for(&["\nhello from the pod"]);
    t.send_text("exit");
    t.send(&["Enter"]);
    t.wait_for(&["2xk9p", "ended (exit 0)"]);
    // ctrl-] leaves a shell whatever it is doing.
    t.send(&["s"]);
    t.wait_for(&["container (checkout, envoy)"]);
    t.send(&["Enter"]);
    t.wait_for(&["ctrl-] leaves it"]);
    t.send_text("sleep 600");
    t.send(&["Enter"]);
    t.send(&["C-]"]);
    t.wait_for(&["2xk9p", "ended (left with ctrl-])"]);

    let port = free_port();
    t.send(&[":"]);
    t.send_text(&format!("forward {port}:8080"));
    t.send(&["Enter"]);
    t.wait_for(&[&format!("forwarding 127.0.0.1:{port}")]);
    assert_eq!(echo_through(port, b"through the API server"), b"through the API server");
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), "exit=0");
}
