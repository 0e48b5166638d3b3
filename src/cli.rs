//! The command line: flags, logging, the backend, and either the TUI or a headless command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::app::{App, MouseCapture, headless};
use crate::config::file::{Config, Confirm};
use crate::config::layers::{Env, Flags, Resolved, resolve};
use crate::domain::ErrorKind;
use crate::ops::Operator;
use crate::ops::audit::Audit;
use crate::ops::executor::Executor;
use crate::snapshot;
use crate::source::SharedBackend;
use crate::source::aws::{AwsBackend, AwsOptions};
use crate::source::sim::{DEFAULT_SEED, SimBackend};
use crate::store::{Settings, Store};
use crate::ui::colors::ColorSupport;
use crate::ui::keymap::Keymap;
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

    /// Simulated accounts in the demo fleet (default 3).
    #[arg(long, value_name = "N", requires = "demo", value_parser = clap::value_parser!(u64).range(1..=500), global = true)]
    pub demo_accounts: Option<u64>,

    /// AWS profile(s) from ~/.aws/config, each an account of the fleet read with its own
    /// credentials only; repeat, separate with commas, or glob (`'prod-*'`). Default: the
    /// config's `profiles`/`profile`, else the default chain (AWS_PROFILE, keys in the
    /// environment, ...).
    #[arg(long, value_name = "NAME", value_delimiter = ',', global = true)]
    pub profile: Vec<String>,

    /// Region(s) to show; repeat or separate with commas. Default: BOSUN_REGION, the
    /// config's `regions`, then the profile's region.
    #[arg(long, value_name = "REGION", value_delimiter = ',', global = true)]
    pub region: Vec<String>,

    /// Open this cluster at start: an ECS cluster's services, an EKS cluster's node groups
    /// (with snapshot: the cluster to show).
    #[arg(long, value_name = "NAME", global = true)]
    pub cluster: Option<String>,

    /// Refresh what is on screen every SECS seconds (default: BOSUN_REFRESH, the config's
    /// `refresh.fast`, 5; the rest of the fleet: `refresh.slow`, 60).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub refresh: Option<u64>,

    /// Write the log here instead of the default.
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,

    /// Refuse every action (scale, redeploy, stop, ...): look, don't touch. Also
    /// BOSUN_READ_ONLY=1, or `read_only = true` in the config (per profile too).
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Leave App Runner out: no App Runner call is made (for a role without App Runner
    /// permissions, or an endpoint that does not serve it). Also BOSUN_NO_APPRUNNER=1.
    #[arg(long, env = "BOSUN_NO_APPRUNNER", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    pub no_apprunner: bool,

    /// Write the audit log of actions here instead of the default.
    #[arg(long, value_name = "FILE", global = true)]
    pub audit_log: Option<PathBuf>,

    /// The kubeconfig context to reach an EKS cluster's Kubernetes API with (from KUBECONFIG
    /// or ~/.kube/config); without one that matches, bosun signs in with the AWS identity.
    #[arg(long, value_name = "NAME", global = true)]
    pub context: Option<String>,

    /// Colours: a built-in theme (default, light, solarized-dark, high-contrast,
    /// monochrome) or a TOML theme file. NO_COLOR (non-empty) turns colours off.
    #[arg(long, value_name = "NAME|FILE", env = "BOSUN_THEME", global = true)]
    pub theme: Option<String>,

    /// Leave the mouse to the terminal (no click to select, no wheel).
    #[arg(long, global = true)]
    pub no_mouse: bool,
}

#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Print what a view shows and exit: for scripts, tickets and incident notes.
    Snapshot(SnapshotArgs),
    /// Print a Markdown report of a cluster (--cluster) or one of its services: health,
    /// deployments, why tasks stopped, alarms firing, events. For the incident channel.
    Report(ReportArgs),
    /// Print a shell completion script: `bosun completions bash > /etc/bash_completion.d/bosun`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `bosun man | man -l -`.
    Man,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Which view: fleet, services, tasks, deployments, nodegroups, pods, apprunner; or any kind an EKS cluster
    /// serves, as `kubectl get` names it (ingresses, cj, nodepools.karpenter.sh).
    #[arg(value_name = "VIEW|KIND", value_parser = snapshot::What::parse)]
    pub view: snapshot::What,

    /// Only this service (services, tasks; deployments needs it).
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,

    /// Stopped tasks instead of running ones (tasks).
    #[arg(long)]
    pub stopped: bool,

    /// Only this namespace (pods, and any kind).
    #[arg(long, short = 'n', value_name = "NAME")]
    pub namespace: Option<String>,

    /// Only the pods in trouble, of every EKS cluster (pods): CrashLoopBackOff, image pulls
    /// failing, failed, OOMKilled, Pending or not ready for over a minute.
    #[arg(long)]
    pub trouble: bool,

    #[arg(long, value_enum, default_value_t)]
    pub format: snapshot::Format,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only this service of the cluster.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,

    /// How far back stopped tasks and events go: 30m, 1h, 6h, 2d.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = crate::domain::timeline::parse_since)]
    pub since: jiff::SignedDuration,
}

/// Where actions are recorded unless `--audit-log` says otherwise.
fn default_audit_log() -> PathBuf {
    crate::config::state_dir().join("audit.log")
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
        default_audit_log().display()
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
/// What the backend is to bosun: where it reads, acts, and opens sessions.
type Backends = (SharedBackend, Arc<dyn Operator>, Arc<dyn crate::ops::session::Sessions>);

async fn backend(global: &Global, settings: &Resolved) -> Result<Backends> {
    if global.demo {
        let seed = global.seed.unwrap_or(DEFAULT_SEED);
        let accounts = global
            .demo_accounts
            .map_or(crate::source::sim::DEMO_ACCOUNTS, |n| n as usize);
        let sim = Arc::new(match global.demo_scale {
            Some(n) => SimBackend::scaled(seed, crate::source::sim::scale::Scale::of(n as usize)),
            None => SimBackend::live_with_accounts(seed, accounts),
        });
        return Ok((sim.clone(), sim.clone(), sim));
    }
    anyhow::ensure!(global.seed.is_none(), "--seed is for the simulated fleet: add --demo");
    let aws = Arc::new(
        AwsBackend::new(AwsOptions {
            profiles: settings.profiles.clone(),
            regions: settings.regions.clone(),
            profile_regions: settings.account_regions.clone(),
            default_regions: settings.default_regions.clone(),
            organization: settings
                .organization
                .as_ref()
                .map(|o| crate::source::aws::Organization {
                    profile: o.profile.clone(),
                    role_name: o.role_name.clone(),
                    include: o.include.clone(),
                    exclude: o.exclude.clone(),
                    regions: o.regions.clone().unwrap_or_default(),
                }),
            kube: crate::source::aws::kube::KubeOptions {
                kubeconfig: None,
                context: global.context.clone(),
                endpoint_url: std::env::var("BOSUN_KUBE_ENDPOINT_URL").ok().filter(|u| !u.is_empty()),
            },
            no_apprunner: global.no_apprunner,
            ..AwsOptions::default()
        })
        .await?,
    );
    Ok((aws.clone(), aws.clone(), aws))
}

/// The config file and the environment, layered under the flags. A malformed file or
/// variable is an error; a key bosun does not know is a warning on stderr.
fn settings(global: &Global) -> Result<(Config, Resolved)> {
    let (config, _) = crate::config::file::load()?;
    for warning in &config.warnings {
        eprintln!("bosun: warning: {warning}");
    }
    let env = Env::current().map_err(anyhow::Error::msg)?;
    let flags = Flags {
        demo: global.demo,
        profiles: global.profile.clone(),
        regions: global.region.clone(),
        refresh: global.refresh,
        read_only: global.read_only,
        cluster: global.cluster.clone(),
    };
    let resolved = resolve(&config, &env, &flags);
    Ok((config, resolved))
}

/// The theme: `--theme` (or `BOSUN_THEME`), else the config's `theme` (a file named
/// relative to the config file), else the default; as this terminal can show it.
fn load_theme(flag: Option<&str>, config: Option<&str>) -> Result<Theme> {
    let theme = match (flag, config) {
        (Some(name), _) => Theme::resolve(name)?,
        (None, Some(name)) => {
            let file = crate::config::file::path();
            let dir = file.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
            Theme::resolve_in(name, &dir)?
        }
        (None, None) => Theme::default(),
    };
    Ok(theme.for_terminal(ColorSupport::from_env()))
}

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "bosun", &mut out);
    out
}

/// The manual page, in roff.
pub fn man_page() -> Result<Vec<u8>> {
    let command = Cli::command().after_help(
        "Config: ~/.config/bosun/config.toml (BOSUN_CONFIG to use another). \
         Log file: ~/.local/state/bosun/bosun.log (BOSUN_LOG=debug for more). \
         Audit log of actions: ~/.local/state/bosun/audit.log. \
         AWS: the standard credential chain and AWS_ENDPOINT_URL[_<SERVICE>] are honoured. \
         NO_COLOR (non-empty) turns colours off.",
    );
    let mut out = Vec::new();
    clap_mangen::Man::new(command).render(&mut out)?;
    out.extend(man_keys(&Keymap::default()).into_bytes());
    Ok(out)
}

/// The KEYS section of the manual, from the keymap as `?` shows it.
fn man_keys(keymap: &Keymap) -> String {
    use crate::ui::keymap::Command;
    let escape = |text: &str| {
        let text = text.replace('\\', "\\e").replace('-', "\\-");
        if text.starts_with(['.', '\'']) {
            format!("\\&{text}")
        } else {
            text
        }
    };
    let mut out = String::from(".SH KEYS\n");
    let mut section = None;
    for command in Command::all() {
        if section != Some(command.section()) {
            section = Some(command.section());
            out.push_str(&format!(".SS {}\n", escape(command.section().title())));
        }
        let keys: Vec<String> = keymap.keys_for(command).iter().map(|k| k.to_string()).collect();
        out.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            escape(&keys.join(" ")),
            escape(command.help())
        ));
    }
    out
}

/// Write to stdout; a closed pipe (`| head`) is not an error worth a message.
fn print(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
    }
    Ok(())
}

pub fn main() -> Result<ExitCode> {
    crate::app::STARTED.get_or_init(std::time::Instant::now);
    let cli = parse();
    // These print and exit: no log, no runtime.
    match &cli.command {
        Some(Sub::Completions { shell }) => {
            print(&completions(*shell))?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Sub::Man) => {
            print(&man_page()?)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    init_logging(&cli.global.log_file.clone().unwrap_or_else(default_log_file))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = settings(&cli.global).and_then(|(config, resolved)| match &cli.command {
        Some(Sub::Snapshot(args)) => runtime.block_on(run_snapshot(&cli.global, &resolved, args)),
        Some(Sub::Report(args)) => runtime.block_on(run_report(&cli.global, &resolved, args)),
        Some(Sub::Completions { .. } | Sub::Man) => Ok(ExitCode::SUCCESS),
        None => run_tui(&runtime, &cli.global, &config, &resolved),
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

async fn run_snapshot(global: &Global, settings: &Resolved, args: &SnapshotArgs) -> Result<ExitCode> {
    let (backend, ..) = backend(global, settings).await?;
    let request = snapshot::Request {
        cluster: settings.cluster.clone(),
        service: args.service.clone(),
        stopped: args.stopped,
        namespace: args.namespace.clone(),
        trouble: args.trouble,
        format: args.format,
        in_flight: settings.intervals.max_in_flight,
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let started = std::time::Instant::now();
    let written = snapshot::write(backend.as_ref(), &args.view, &request, &mut out).await;
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

async fn run_report(global: &Global, settings: &Resolved, args: &ReportArgs) -> Result<ExitCode> {
    let Some(cluster) = settings.cluster.clone() else {
        anyhow::bail!("bosun report needs --cluster NAME (and, for one service, --service NAME)");
    };
    let (backend, ..) = backend(global, settings).await?;
    let request = crate::report::Request {
        cluster,
        service: args.service.clone(),
        since: args.since,
        in_flight: settings.intervals.max_in_flight,
    };
    let text = crate::report::report(backend.as_ref(), &request).await?;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
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

/// The theme `--theme` names (else the default), as this terminal can show it.
pub fn theme(name_or_path: Option<&str>) -> Result<Theme, crate::config::FileError> {
    Ok(Theme::resolve(name_or_path.unwrap_or("default"))?.for_terminal(ColorSupport::from_env()))
}

fn run_tui(
    runtime: &tokio::runtime::Runtime,
    global: &Global,
    config: &Config,
    settings: &Resolved,
) -> Result<ExitCode> {
    let theme = load_theme(global.theme.as_deref(), settings.theme.as_deref())?;
    let (backend, operator, sessions) = runtime.block_on(backend(global, settings))?;
    let mut intervals = settings.intervals;
    if global.demo_scale.is_some() && global.refresh.is_none() {
        // A fleet at scale is polled as AWS would be, not at the live demo's pace.
        intervals = crate::source::scheduler::Intervals::default();
    }
    let mut context = headless::context(backend.as_ref(), intervals.fast.as_secs(), global.demo);
    context.tz = jiff::tz::TimeZone::system();
    let mut store = Store::new(context, backend.now());
    store.ui.pending_cluster = settings.cluster.clone();
    // Read-only per account, now that the backend has named them.
    let env = Env::current().map_err(anyhow::Error::msg)?;
    let guard = config.guard(&store.context.accounts, global.read_only, env.read_only);
    store.context.read_only = guard.read_only.is_some()
        || (!store.context.accounts.is_empty()
            && store
                .context
                .accounts
                .iter()
                .all(|a| guard.accounts.contains_key(&a.name)));
    store.settings = Settings {
        confirm_by_name: config.actions.confirm == Confirm::Name,
        limits: guard.limits.clone(),
        read_only: guard.read_only.clone(),
        read_only_accounts: guard.accounts.clone(),
        aliases: config.aliases.clone(),
        natural_order: config.sort == crate::config::file::Sort::Name,
        exec_command: config.exec.command.clone().unwrap_or_default(),
    };
    if let Some(first) = config.warnings.first() {
        let more = match config.warnings.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        store.ui.info(format!("config: {first}{more}"));
    }
    let audit_path = global.audit_log.clone().unwrap_or_else(default_audit_log);
    let audit =
        Audit::open(&audit_path).with_context(|| format!("cannot open the audit log {}", audit_path.display()))?;
    // The recent actions into these accounts, for the timeline.
    let since = store.now - crate::domain::timeline::MAX_SINCE;
    match crate::ops::audit::read_since(&audit_path, since) {
        Ok(records) => {
            let ours: Vec<_> = records
                .into_iter()
                .filter(|r| store.account(&r.account).is_some())
                .collect();
            for record in ours {
                store.record_action(record);
            }
        }
        Err(error) => tracing::warn!(%error, path = %audit_path.display(), "cannot read the audit log back"),
    }
    let executor = Executor::new(operator, guard, Some(audit));
    let mut terminal = ratatui::init();
    let mouse = if global.no_mouse {
        None
    } else {
        match MouseCapture::enable() {
            Ok(capture) => Some(capture),
            Err(error) => {
                tracing::warn!(%error, "no mouse");
                None
            }
        }
    };
    let app = App {
        store,
        theme,
        keymap: config.keymap(),
        backend,
        intervals,
        executor,
        sessions,
        mouse: mouse.is_some(),
    };
    tracing::info!(demo = global.demo, regions = ?settings.regions, "starting");
    let result = runtime.block_on(app.run(&mut terminal));
    drop(mouse);
    ratatui::restore();
    let store = result?;
    // Credentials that did not work are worth repeating where the shell can see them.
    let failed: Vec<&str> = store
        .identities
        .values()
        .filter_map(|c| c.error.as_ref().filter(|e| e.kind == ErrorKind::Auth))
        .map(|e| e.message.as_str())
        .collect();
    for message in &failed {
        eprintln!("bosun: {message}");
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
