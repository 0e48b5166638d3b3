//! The command line: flags, logging, the backend, and either the TUI or a headless command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::app::{App, headless};
use crate::config::file::Confirm;
use crate::config::keymap::Keymap;
use crate::ops::audit::Audit;
use crate::ops::executor::Executor;
use crate::ops::{Guard, Limits, Operator};
use crate::snapshot;
use crate::source::SharedBackend;
use crate::source::aws::{AwsBackend, AwsOptions};
use crate::source::scheduler::Intervals;
use crate::source::sim::{DEFAULT_SEED, SimBackend};
use crate::store::{ErrorKind, Settings, Store};
use crate::ui::theme::Theme;

/// A terminal dashboard for operating AWS container fleets: ECS and EKS in one program.
#[derive(Debug, Parser)]
#[command(name = "bosun", version)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Run on the embedded simulated fleet: no AWS account needed.
    #[arg(long, global = true)]
    pub demo: bool,

    /// Seed of the simulated fleet: the same seed makes the same fleet.
    #[arg(long, value_name = "N", global = true)]
    pub seed: Option<u64>,

    /// Make the simulated fleet N running tasks over up to 200 clusters and 20,000
    /// services: for measuring bosun at fleet size.
    #[arg(long, value_name = "N", requires = "demo", value_parser = clap::value_parser!(u64).range(1..=2_000_000), global = true)]
    pub demo_scale: Option<u64>,

    /// AWS profile (from ~/.aws/config); default: AWS_PROFILE, then the default chain.
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Region(s) to show; repeat or separate with commas. Default: the profile's region.
    #[arg(long, value_name = "REGION", value_delimiter = ',', global = true)]
    pub region: Vec<String>,

    /// Open this ECS cluster's services at start (with snapshot: the cluster to show).
    #[arg(long, value_name = "NAME", global = true)]
    pub cluster: Option<String>,

    /// Refresh what is on screen every SECS seconds (the rest of the fleet: every minute).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub refresh: Option<u64>,

    /// Write the log here instead of the default.
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,

    /// Refuse every action (scale, redeploy, stop, ...): look, don't touch.
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Write the audit log of actions here instead of the default.
    #[arg(long, value_name = "FILE", global = true)]
    pub audit_log: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Print what a view shows and exit: for scripts, tickets and incident notes.
    Snapshot(SnapshotArgs),
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Which view.
    #[arg(value_enum)]
    pub view: snapshot::View,

    /// Only this service (services, tasks).
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,

    /// Stopped tasks instead of running ones (tasks).
    #[arg(long)]
    pub stopped: bool,

    #[arg(long, value_enum, default_value_t)]
    pub format: snapshot::Format,
}

fn default_log_file() -> PathBuf {
    crate::config::state_dir().join("bosun.log")
}

/// Parse the command line, with the paths that depend on the environment in `--help`.
pub fn parse() -> Cli {
    let after = format!(
        "Config: {} (BOSUN_CONFIG to use another)\n\
         Log file: {} (set BOSUN_LOG=debug for more)\n\
         Audit log of actions: {} (mode 0600)\n\
         AWS: the standard credential chain and AWS_ENDPOINT_URL[_<SERVICE>] are honoured.",
        crate::config::file::path().display(),
        default_log_file().display(),
        crate::ops::audit::default_path().display()
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
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
    Ok(())
}

/// The backend for reads and the operator for actions: the same fleet, two faces.
async fn backend(global: &Global) -> Result<(SharedBackend, Arc<dyn Operator>)> {
    if global.demo {
        let seed = global.seed.unwrap_or(DEFAULT_SEED);
        let sim = Arc::new(match global.demo_scale {
            Some(n) => SimBackend::scaled(seed, crate::source::sim::scale::Scale::of(n as usize)),
            None => SimBackend::live(seed),
        });
        return Ok((sim.clone(), sim));
    }
    anyhow::ensure!(global.seed.is_none(), "--seed is for the simulated fleet: add --demo");
    let aws = Arc::new(
        AwsBackend::new(AwsOptions {
            profile: global.profile.clone(),
            regions: global.region.clone(),
            ..AwsOptions::default()
        })
        .await?,
    );
    Ok((aws.clone(), aws))
}

pub fn main() -> Result<ExitCode> {
    crate::app::STARTED.get_or_init(std::time::Instant::now);
    let cli = parse();
    init_logging(&cli.global.log_file.clone().unwrap_or_else(default_log_file))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = match &cli.command {
        Some(Sub::Snapshot(args)) => runtime.block_on(run_snapshot(&cli.global, args)),
        None => run_tui(&runtime, &cli.global),
    };
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

async fn run_snapshot(global: &Global, args: &SnapshotArgs) -> Result<ExitCode> {
    let (backend, _) = backend(global).await?;
    let request = snapshot::Request {
        cluster: global.cluster.clone(),
        service: args.service.clone(),
        stopped: args.stopped,
        format: args.format,
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let started = std::time::Instant::now();
    let written = snapshot::write(backend.as_ref(), args.view, &request, &mut out).await;
    if let Some(calls) = backend.calls_by_operation() {
        let total: u64 = calls.values().sum();
        tracing::info!(
            ?calls,
            total,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "snapshot: API calls"
        );
    }
    let written = written.and_then(|()| Ok(out.flush()?));
    // A closed pipe (`| head`) is not an error worth a message.
    if let Err(e) = written {
        let broken_pipe = is_broken_pipe(&e);
        if !broken_pipe {
            return Err(e);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether an error is stdout's reader going away.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(|e| e.io_error_kind())
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn run_tui(runtime: &tokio::runtime::Runtime, global: &Global) -> Result<ExitCode> {
    let (config, _) = crate::config::file::load()?;
    let (backend, operator) = runtime.block_on(backend(global))?;
    let mut intervals = Intervals::default();
    if let Some(secs) = global.refresh {
        intervals.fast = Duration::from_secs(secs);
    } else if global.demo && global.demo_scale.is_none() {
        // The demo fleet is local and cheap to ask: let it look alive. A fleet at scale is
        // polled as AWS would be.
        intervals.fast = Duration::from_secs(2);
        intervals.slow = Duration::from_secs(10);
    }
    let mut context = headless::context(backend.as_ref(), intervals.fast.as_secs(), global.demo);
    context.tz = jiff::tz::TimeZone::system();
    let mut store = Store::new(context, backend.now());
    store.ui.pending_cluster = global.cluster.clone();
    let read_only = config.read_only_reason(&store.context.profile, global.read_only);
    let mut limits = Limits::default();
    if let Some(max) = config.actions.max_desired {
        limits.max_desired = max;
    }
    store.context.read_only = read_only.is_some();
    store.settings = Settings {
        confirm_by_name: config.actions.confirm == Confirm::Name,
        limits: limits.clone(),
        read_only: read_only.clone(),
    };
    let audit_path = global.audit_log.clone().unwrap_or_else(crate::ops::audit::default_path);
    let audit =
        Audit::open(&audit_path).with_context(|| format!("cannot open the audit log {}", audit_path.display()))?;
    let executor = Executor::new(operator, Guard { read_only, limits }, Some(audit));
    let app = App {
        store,
        theme: Theme::default(),
        keymap: Keymap::default(),
        backend,
        intervals,
        executor,
    };
    tracing::info!(demo = global.demo, regions = ?global.region, "starting");
    let mut terminal = ratatui::init();
    let result = runtime.block_on(app.run(&mut terminal));
    ratatui::restore();
    let store = result?;
    // Credentials that did not work are worth repeating where the shell can see them.
    if let Some(error) = store.identity.error.as_ref().filter(|e| e.kind == ErrorKind::Auth) {
        eprintln!("bosun: {}", error.message);
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
