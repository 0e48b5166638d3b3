//! Many AWS accounts in one fleet, against moto through the real SDK and the real binary:
//! moto keys resources by the account of the credentials, and `sts:AssumeRole` into
//! `arn:aws:iam::111111111111:role/...` acts in 111111111111. The seed makes clusters in
//! several accounts through assumed roles (and an organization with two member accounts);
//! these tests read them with profiles, lists and globs of profiles, and Organizations,
//! and act in one account and not another.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

use bosun::config::file::Config;
use bosun::domain::fetch::{Fetch, Payload};
use bosun::domain::op::{Op, OpRequest, Outcome};
use bosun::ops::audit::Audit;
use bosun::ops::executor::Executor;
use bosun::source::Backend;
use bosun::source::aws::{AwsBackend, AwsOptions};
use serde_json::Value;
use support::runtime;
use support::servers::{Moto, aws_cli};

/// The management account's own OrganizationAccountAccessRole does not exist (AWS makes
/// it in member accounts only), so assuming it is refused.
const MASTER_ROLE: &str = "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole";

struct Fleet {
    moto: Moto,
    /// Cluster name → the account it was made in.
    made: BTreeMap<String, String>,
    dir: tempfile::TempDir,
}

impl Fleet {
    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn credentials(&self) -> PathBuf {
        self.dir.path().join("credentials")
    }

    /// A bosun config file for one test.
    fn bosun_config(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// moto seeded with the `accounts` scenario, and AWS config files whose profiles reach
/// its accounts: `base` (static keys, 123456789012), `prod-a` and `prod-b` (role `ops` in
/// 111111111111 and 222222222222, from `base`), `empty-x` (a role in an account with
/// nothing in it). Each profile sends to moto with `endpoint_url`, as the AWS config file
/// allows.
fn fleet() -> &'static Fleet {
    static FLEET: OnceLock<Fleet> = OnceLock::new();
    FLEET.get_or_init(|| {
        let moto = Moto::start_with(&["--deny-role", MASTER_ROLE]);
        let made: BTreeMap<String, String> = serde_json::from_value(moto.seed("accounts")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let endpoint = moto.endpoint();
        let role = |account: &str| {
            format!(
                "role_arn = arn:aws:iam::{account}:role/ops\nsource_profile = base\nregion = us-east-1\nendpoint_url = {endpoint}\n"
            )
        };
        let config = format!(
            "[profile base]\nregion = us-east-1\nendpoint_url = {endpoint}\n\n\
             [profile prod-a]\n{}\n[profile prod-b]\n{}\n[profile empty-x]\n{}",
            role("111111111111"),
            role("222222222222"),
            role("444444444444"),
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        std::fs::write(
            dir.path().join("credentials"),
            "[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
        )
        .unwrap();
        Fleet { moto, made, dir }
    })
}

/// The real binary with the fleet's AWS config files, keys of 123456789012 left in the
/// environment (as from another session), and `config` as bosun's config.
fn bosun(args: &[&str], config: Option<&Path>) -> Output {
    let fleet = fleet();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bosun"));
    command
        .args(args)
        .arg("--log-file")
        .arg(fleet.dir.path().join("bosun.log"))
        .env("AWS_CONFIG_FILE", fleet.config())
        .env("AWS_SHARED_CREDENTIALS_FILE", fleet.credentials())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", fleet.moto.endpoint())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("BOSUN_AWS_MAX_ATTEMPTS", "1")
        // moto does not serve App Runner.
        .env("BOSUN_NO_APPRUNNER", "1")
        .env(
            "BOSUN_CONFIG",
            config.map_or_else(|| fleet.dir.path().join("none.toml"), Path::to_path_buf),
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("BOSUN_REGION")
        .env_remove("BOSUN_READ_ONLY");
    command.output().unwrap()
}

/// `snapshot fleet --format json`: (cluster name, account, account id) of every row, and
/// the output.
fn fleet_rows(args: &[&str], config: Option<&Path>) -> (Vec<(String, String, String)>, Output) {
    let mut all = vec!["snapshot", "fleet", "--format", "json"];
    all.extend_from_slice(args);
    let out = bosun(&all, config);
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut rows: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["account"].as_str().unwrap().to_string(),
                r["account_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    (rows, out)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn row(name: &str, account: &str, id: &str) -> (String, String, String) {
    (name.to_string(), account.to_string(), id.to_string())
}

#[test]
fn a_named_profile_uses_its_own_credentials_not_the_environments() {
    // The keys in the environment are 123456789012's: with no profile named, they are
    // the default chain's, as with the AWS CLI.
    let (rows, out) = fleet_rows(&["--region", "us-east-1"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows, [row("home", "default", "123456789012")]);
    // --profile prod-a: 111111111111's clusters only, through its role.
    let (rows, out) = fleet_rows(&["--profile", "prod-a"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows, [row("alpha", "prod-a", "111111111111")]);
    // A profile named in the config is named too.
    let config = fleet().bosun_config("one.toml", "profile = \"prod-b\"\n");
    let (rows, _) = fleet_rows(&[], Some(&config));
    assert_eq!(rows, [row("beta", "prod-b", "222222222222")]);
}

#[test]
fn a_profile_that_does_not_exist_lists_the_ones_that_do() {
    for args in [&["--profile", "prod-c"][..], &["--profile", "staging-*"][..]] {
        let mut all = vec!["snapshot", "fleet"];
        all.extend_from_slice(args);
        let out = bosun(&all, None);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.contains("the profiles there are: base, empty-x, prod-a, prod-b"),
            "{err}"
        );
        assert!(!err.contains("sso login"), "{err}");
    }
    assert!(
        stderr(&bosun(&["snapshot", "fleet", "--profile", "prod-c"], None)).contains("no AWS profile named `prod-c`")
    );
    assert!(
        stderr(&bosun(&["snapshot", "fleet", "--profile", "staging-*"], None))
            .contains("no AWS profile matches `staging-*`")
    );
}

#[test]
fn lists_and_globs_of_profiles_are_one_fleet() {
    let both = vec![
        row("alpha", "prod-a", "111111111111"),
        row("beta", "prod-b", "222222222222"),
    ];
    for args in [
        &["--profile", "prod-*"][..],
        &["--profile", "prod-a,prod-b"][..],
        &["--profile", "prod-a", "--profile", "prod-b"][..],
    ] {
        let (rows, out) = fleet_rows(args, None);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(rows, both, "{args:?}");
    }
    let config = fleet().bosun_config("list.toml", "profiles = [\"prod-*\", \"base\"]\n");
    let (rows, _) = fleet_rows(&[], Some(&config));
    let mut want = both.clone();
    want.push(row("home", "base", "123456789012"));
    assert_eq!(rows, want);
    // An account with no clusters answers with nothing: not an error.
    let (rows, out) = fleet_rows(&["--profile", "prod-a,empty-x"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows, [row("alpha", "prod-a", "111111111111")]);
    // As a table, each row names its account.
    let out = bosun(&["snapshot", "fleet", "--profile", "prod-*"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("ACCOUNT"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("prod-b") && l.contains("beta")),
        "{text}"
    );
    // Every snapshot takes the list: the services of both accounts' clusters.
    let out = bosun(
        &["snapshot", "services", "--profile", "prod-*", "--format", "json"],
        None,
    );
    let services: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let clusters: Vec<&str> = services.iter().map(|s| s["cluster_arn"].as_str().unwrap()).collect();
    assert_eq!(
        clusters,
        [
            "arn:aws:ecs:us-east-1:111111111111:cluster/alpha",
            "arn:aws:ecs:us-east-1:222222222222:cluster/beta"
        ]
    );
}

#[test]
fn an_organizations_accounts_each_through_its_role() {
    let made = &fleet().made;
    let org = "[organization]\nprofile = \"base\"\nrole_name = \"OrganizationAccountAccessRole\"\n";
    // Every active account of the organization: the members answer; the management
    // account, whose role cannot be assumed, is named on stderr and the exit fails.
    let config = fleet().bosun_config("org.toml", org);
    let (rows, out) = fleet_rows(&[], Some(&config));
    assert_eq!(
        rows,
        [
            row("team-a-apps", "team-a", &made["team-a-apps"]),
            row("team-b-apps", "team-b", &made["team-b-apps"]),
        ]
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("account master did not answer"), "{err}");
    assert!(
        err.contains("cannot assume role OrganizationAccountAccessRole in account master"),
        "{err}"
    );
    assert!(err.contains("AccessDenied") || err.contains("not authorized"), "{err}");
    assert!(!err.contains("team-a"), "{err}");
    // Excluded by name, it is not asked; included by id, only that one.
    let config = fleet().bosun_config("org-exclude.toml", &format!("{org}exclude = [\"master\"]\n"));
    let (rows, out) = fleet_rows(&[], Some(&config));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows.len(), 2);
    let config = fleet().bosun_config(
        "org-include.toml",
        &format!("{org}include = [\"{}\"]\n", made["team-b-apps"]),
    );
    let (rows, out) = fleet_rows(&[], Some(&config));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(rows, [row("team-b-apps", "team-b", &made["team-b-apps"])]);
    // Profiles and the organization together: one fleet.
    let config = fleet().bosun_config(
        "org-and-profiles.toml",
        &format!("profiles = [\"prod-a\"]\n{org}exclude = [\"master\", \"team-b\"]\n"),
    );
    let (rows, out) = fleet_rows(&[], Some(&config));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        rows,
        [
            row("alpha", "prod-a", "111111111111"),
            row("team-a-apps", "team-a", &made["team-a-apps"]),
        ]
    );
}

/// The `aws` CLI as a profile of the fleet's config files: what that account holds.
fn desired_as(profile: &str, cluster: &str) -> u64 {
    let fleet = fleet();
    let out = Command::new(aws_cli())
        .args(["ecs", "describe-services", "--cluster", cluster, "--services", "web"])
        .args(["--profile", profile, "--output", "json"])
        .env("AWS_CONFIG_FILE", fleet.config())
        .env("AWS_SHARED_CREDENTIALS_FILE", fleet.credentials())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // The CLI caches assumed-role credentials under ~/.aws/cli/cache: not another
        // moto's.
        .env("HOME", fleet.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["services"][0]["desiredCount"].as_u64().unwrap()
}

#[test]
fn an_action_lands_in_its_account_and_a_read_only_account_refuses() {
    let fleet = fleet();
    let rt = runtime();
    let backend = Arc::new(
        rt.block_on(AwsBackend::new(AwsOptions {
            profiles: vec!["prod-*".into()],
            profile_files: Some((fleet.config(), fleet.credentials())),
            max_attempts: Some(1),
            no_apprunner: true,
            ..AwsOptions::default()
        }))
        .unwrap(),
    );
    let accounts = backend.accounts();
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["prod-a", "prod-b"]);
    // prod-a is read-only in the config; prod-b is not.
    let config = Config::parse("c.toml", "[accounts.prod-a]\nread_only = true\n").unwrap();
    let guard = config.guard(&accounts, false, None);
    let audit_path = fleet.dir.path().join("audit.log");
    let executor = Executor::new(backend.clone(), guard, Some(Audit::open(&audit_path).unwrap()));
    let scale = |id, account: &str, cluster: &str, to| OpRequest {
        id,
        op: Op::Scale {
            cluster: cluster.into(),
            service: "web".into(),
            from: 1,
            to,
        },
        account: account.into(),
        account_id: None,
        profile: account.into(),
        identity: None,
    };
    let beta = "arn:aws:ecs:us-east-1:222222222222:cluster/beta";
    let alpha = "arn:aws:ecs:us-east-1:111111111111:cluster/alpha";
    let done = rt.block_on(executor.execute(scale(1, "prod-b", beta, 3)));
    assert!(matches!(done.outcome, Outcome::Done(_)), "{:?}", done.outcome);
    let refused = rt.block_on(executor.execute(scale(2, "prod-a", alpha, 3)));
    match &refused.outcome {
        Outcome::Refused { reason } => assert!(reason.contains("account `prod-a` is read-only"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Read back with each account's own credentials: the change is in 222222222222, and
    // nothing was sent to 111111111111.
    assert_eq!(desired_as("prod-b", "beta"), 3);
    assert_eq!(desired_as("prod-a", "alpha"), 1);
    // bosun reads it back in the right account too.
    let services = rt.block_on(backend.fetch(&Fetch::services(beta))).unwrap();
    let Payload::Services(services) = services else {
        panic!()
    };
    assert_eq!(services[0].desired, 3);
    // The audit log names the account of each.
    let audit = std::fs::read_to_string(&audit_path).unwrap();
    let lines: Vec<Value> = audit.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert_eq!(
        (lines[0]["account"].as_str(), lines[0]["result"].as_str()),
        (Some("prod-b"), Some("ok"))
    );
    assert_eq!(
        (lines[1]["account"].as_str(), lines[1]["result"].as_str()),
        (Some("prod-a"), Some("refused"))
    );
    // Put it back for the read-only tests sharing this moto.
    let back = rt.block_on(executor.execute(OpRequest {
        op: Op::Scale {
            cluster: beta.into(),
            service: "web".into(),
            from: 3,
            to: 1,
        },
        ..scale(3, "prod-b", beta, 1)
    }));
    assert!(matches!(back.outcome, Outcome::Done(_)));
}
