//! Render the screens the README shows, from the fixed-seed demo fleet, as JSON cell
//! grids: `scripts/screenshots` turns them into PNGs.
//!
//! cargo run --example frames -- OUT_DIR

use std::path::PathBuf;

use bosun::app::{Action, Input, headless, update};
use bosun::domain::session::ForwardEvent;
use bosun::source::sim::SimBackend;
use bosun::store::Store;
use bosun::ui::colors::ColorSupport;
use bosun::ui::keymap::{Command, Keymap};
use bosun::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use serde_json::json;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 34;

fn press(store: &mut Store, command: Command) {
    update(store, Action::Command(command));
}

fn line(store: &mut Store, opener: Command, text: &str) {
    press(store, opener);
    for c in text.chars() {
        update(store, Action::Input(Input::Char(c)));
    }
    update(store, Action::Input(Input::Submit));
}

fn color(c: Color) -> String {
    match c {
        Color::Reset => "reset".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => format!("idx:{i}"),
        named => format!("{named:?}").to_lowercase(),
    }
}

fn frame_json(buf: &Buffer, background: &str) -> serde_json::Value {
    let rows: Vec<Vec<serde_json::Value>> = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| {
                    let cell = &buf[(x, y)];
                    json!([
                        cell.symbol(),
                        color(cell.fg),
                        color(cell.bg),
                        cell.modifier.contains(Modifier::BOLD),
                        cell.modifier.contains(Modifier::REVERSED),
                        cell.modifier.contains(Modifier::DIM)
                    ])
                })
                .collect()
        })
        .collect();
    json!({ "width": buf.area.width, "height": buf.area.height, "background": background, "rows": rows })
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "target/frames".into()));
    std::fs::create_dir_all(&out).unwrap();
    let at = "2026-11-02T09:30:00Z".parse().unwrap();
    let backend = SimBackend::fixed(7, at);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut store = runtime.block_on(headless::load(&backend, headless::context(&backend, 5, true)));
    let theme = Theme::default();
    let keymap = Keymap::default();

    let shoot_with = |name: &str, store: &mut Store, theme: &Theme, background: &str| {
        runtime.block_on(headless::follow_scope(store, &backend));
        let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
        terminal.draw(|f| bosun::ui::render(f, store, theme, &keymap)).unwrap();
        let path = out.join(format!("{name}.json"));
        std::fs::write(&path, frame_json(terminal.backend().buffer(), background).to_string()).unwrap();
        println!("{}", path.display());
    };
    let shoot = |name: &str, store: &mut Store| shoot_with(name, store, &theme, "dark");

    shoot("fleet", &mut store);
    line(&mut store, Command::CommandLine, "cluster prod-web");
    shoot("services", &mut store);
    press(&mut store, Command::Down);
    press(&mut store, Command::Down);
    let light = Theme::builtin("light").unwrap();
    shoot_with("services-light", &mut store, &light, "light");
    let no_color = Theme::default().for_terminal(ColorSupport::NoColor);
    shoot_with("services-no-color", &mut store, &no_color, "dark");
    line(&mut store, Command::CommandLine, "svc checkout");
    shoot("service", &mut store);
    line(&mut store, Command::CommandLine, "fleet");
    line(&mut store, Command::CommandLine, "cluster prod-web");
    line(&mut store, Command::CommandLine, "stopped");
    shoot("tasks-stopped", &mut store);
    line(&mut store, Command::Filter, "exit:137");
    press(&mut store, Command::Open);
    shoot("task", &mut store);
    press(&mut store, Command::Help);
    shoot("help", &mut store);
    press(&mut store, Command::Back);
    line(&mut store, Command::CommandLine, "fleet");
    line(&mut store, Command::CommandLine, "cluster prod-web");
    line(&mut store, Command::CommandLine, "svc checkout");
    line(&mut store, Command::CommandLine, "scale 9");
    shoot("confirm", &mut store);
    update(&mut store, Action::Input(Input::Cancel));
    line(&mut store, Command::CommandLine, "svc payments");
    press(&mut store, Command::Metrics);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("metrics", &mut store);
    // A service rolling: its deployment marked on every chart, its alarm's threshold drawn.
    line(&mut store, Command::CommandLine, "svc checkout");
    press(&mut store, Command::Metrics);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("metrics-deploy", &mut store);
    press(&mut store, Command::Back);
    press(&mut store, Command::Logs);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("logs", &mut store);
    line(&mut store, Command::CommandLine, "eks platform-k8s");
    shoot("eks", &mut store);
    line(&mut store, Command::CommandLine, "pods");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("pods", &mut store);
    line(&mut store, Command::CommandLine, "nodes");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("nodes", &mut store);
    line(&mut store, Command::CommandLine, "ing");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("ingresses", &mut store);
    press(&mut store, Command::Open);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("ingress", &mut store);
    line(&mut store, Command::CommandLine, "svc");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("k8s-services", &mut store);
    line(&mut store, Command::CommandLine, "pdb");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    press(&mut store, Command::Open);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("pdb", &mut store);
    line(&mut store, Command::CommandLine, "fleet");
    line(&mut store, Command::CommandLine, "pods");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("trouble", &mut store);
    // What changed during the payments incident, across the fleet.
    line(&mut store, Command::CommandLine, "fleet");
    press(&mut store, Command::Timeline);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("timeline", &mut store);
    line(&mut store, Command::CommandLine, "apprunner");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("apprunner", &mut store);
    press(&mut store, Command::Open);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("apprunner-service", &mut store);

    // A deployment the circuit breaker is rolling back, in the service's history.
    line(&mut store, Command::CommandLine, "fleet");
    line(&mut store, Command::CommandLine, "cluster prod-web");
    line(&mut store, Command::CommandLine, "svc recommendations");
    press(&mut store, Command::History);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("deployments", &mut store);
    // A CodeDeploy blue/green an alarm stopped while the traffic shifted, rolled back.
    line(&mut store, Command::CommandLine, "fleet");
    line(&mut store, Command::CommandLine, "cluster eu-prod");
    line(&mut store, Command::CommandLine, "svc checkout-eu");
    press(&mut store, Command::History);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    press(&mut store, Command::Down);
    press(&mut store, Command::Down);
    press(&mut store, Command::Open);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    shoot("codedeploy", &mut store);
    // Going back to a whole service revision: catalog before its move to Fargate Spot.
    line(&mut store, Command::CommandLine, "fleet");
    line(&mut store, Command::CommandLine, "cluster prod-web");
    line(&mut store, Command::CommandLine, "svc catalog");
    press(&mut store, Command::History);
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    press(&mut store, Command::Down);
    press(&mut store, Command::Rollback);
    shoot("restore-revision", &mut store);
    press(&mut store, Command::Back);

    // The raw resource: a pod as kubectl shows it.
    line(&mut store, Command::CommandLine, "eks platform-k8s");
    line(&mut store, Command::CommandLine, "pods");
    runtime.block_on(headless::follow_scope(&mut store, &backend));
    line(&mut store, Command::CommandLine, "yaml");
    shoot("raw", &mut store);
    // A task's port forwarded, as the loop reports it once it listens and carries bytes.
    line(&mut store, Command::CommandLine, "fleet");
    line(&mut store, Command::CommandLine, "cluster prod-web");
    line(&mut store, Command::CommandLine, "svc payments");
    press(&mut store, Command::NextPane);
    line(&mut store, Command::CommandLine, "forward 8443:8443 payments");
    let started = store.forwards.items().first().cloned().map(|mut f| {
        f.listening = true;
        Box::new(f)
    });
    if let Some(forward) = started {
        let id = forward.id;
        update(&mut store, Action::Forward(ForwardEvent::Started(forward)));
        update(
            &mut store,
            Action::Forward(ForwardEvent::Traffic {
                id,
                sent: 1_843,
                received: 48_210,
                connections: 6,
            }),
        );
    }
    line(&mut store, Command::CommandLine, "forwards");
    shoot("forwards", &mut store);

    // Eight accounts, one whose sign-in expired.
    let many = SimBackend::fixed_with_accounts(7, at, 8);
    let store = runtime.block_on(headless::load(&many, headless::context(&many, 5, true)));
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal
        .draw(|f| bosun::ui::render(f, &store, &theme, &keymap))
        .unwrap();
    let path = out.join("accounts.json");
    std::fs::write(&path, frame_json(terminal.backend().buffer(), "dark").to_string()).unwrap();
    println!("{}", path.display());
}
