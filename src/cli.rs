//! The command line: flags, logging, and starting the app.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{CommandFactory, FromArgMatches, Parser};

use crate::app::App;
use crate::config::keymap::Keymap;
use crate::source::SharedBackend;
use crate::source::scheduler::Intervals;
use crate::source::sim::{DEFAULT_SEED, SimBackend};
use crate::store::{Context, Store};
use crate::ui::theme::Theme;

/// A terminal dashboard for operating AWS container fleets: ECS and EKS in one program.
#[derive(Debug, Parser)]
#[command(name = "bosun", version)]
pub struct Cli {
    /// Run on the embedded simulated fleet: no AWS account needed.
    #[arg(long)]
    pub demo: bool,

    /// Seed of the simulated fleet: the same seed makes the same fleet.
    #[arg(long, value_name = "N", requires = "demo")]
    pub seed: Option<u64>,

    /// Refresh what is on screen every SECS seconds.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub refresh: Option<u64>,

    /// Write the log here instead of the default.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

fn default_log_file() -> PathBuf {
    crate::config::state_dir().join("bosun.log")
}

/// Parse the command line, with the paths that depend on the environment in `--help`.
pub fn parse() -> Cli {
    let after = format!(
        "Log file: {} (set BOSUN_LOG=debug for more)",
        default_log_file().display()
    );
    let matches = Cli::command().after_help(after).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

fn init_logging(path: &PathBuf) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOSUN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
    Ok(())
}

pub fn main() -> Result<ExitCode> {
    let cli = parse();
    init_logging(&cli.log_file.clone().unwrap_or_else(default_log_file))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    let backend: SharedBackend = if cli.demo {
        Arc::new(SimBackend::live(cli.seed.unwrap_or(DEFAULT_SEED)))
    } else {
        bail!("only the simulated fleet is available in this build: run `bosun --demo`");
    };
    let mut intervals = Intervals::default();
    if let Some(secs) = cli.refresh {
        intervals.fast = Duration::from_secs(secs);
    } else if cli.demo {
        // The demo fleet is local and cheap to ask: let it look alive.
        intervals.fast = Duration::from_secs(2);
        intervals.slow = Duration::from_secs(10);
    }
    let context = Context {
        profile: backend.profile(),
        regions: backend.regions(),
        demo: cli.demo,
        read_only: false,
        refresh_secs: intervals.fast.as_secs(),
    };
    let store = Store::new(context, backend.now());
    let app = App {
        store,
        theme: Theme::default(),
        keymap: Keymap::default(),
        backend,
        intervals,
    };
    tracing::info!(demo = cli.demo, "starting");
    let mut terminal = ratatui::init();
    let result = runtime.block_on(app.run(&mut terminal));
    ratatui::restore();
    runtime.shutdown_timeout(Duration::from_millis(200));
    result.map(|()| ExitCode::SUCCESS)
}
