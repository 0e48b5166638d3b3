//! Sessions on AWS: ECS Exec and SSM port forwarding through `session-manager-plugin`,
//! called as the AWS CLI calls it; Kubernetes exec and port-forward natively, through the
//! API server's WebSocket subresources with bosun's own connection (no kubectl).
//!
//! The plugin's arguments, as the AWS CLI passes them (awscli's ecs execute-command and
//! ssm start-session):
//!
//! ```text
//! session-manager-plugin RESPONSE REGION StartSession PROFILE PARAMETERS ENDPOINT
//! ```
//!
//! For ECS Exec, RESPONSE is ExecuteCommand's `session` as JSON, PARAMETERS
//! `{"Target": "ecs:CLUSTER_TASKID_RUNTIMEID"}` and ENDPOINT the ECS client's; for a port
//! forward, PARAMETERS is the StartSession request and ENDPOINT the SSM client's. In both,
//! RESPONSE names the environment variable `AWS_SSM_START_SESSION_RESPONSE` that holds the
//! answer, as the CLI does for ssm start-session, so the token is not on the command line
//! (the CLI's ecs execute-command puts it there; the plugin reads either).

use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, TerminalSize};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::session::{Io, Program, Sessions, Shell, Stream, Tunnel, find_plugin, is_executable};
use crate::domain::session::{NO_SERVICE_SHELL, PLUGIN_MISSING, Ports, Target, explain_aws_error};
use crate::source::aws::AwsBackend;
use crate::util::arn_tail;

/// The SSM documents of a port forward: to the task's own port, or through it to a host.
const FORWARD_DOCUMENT: &str = "AWS-StartPortForwardingSession";
const FORWARD_REMOTE_DOCUMENT: &str = "AWS-StartPortForwardingSessionToRemoteHost";
/// The environment variable the AWS CLI passes StartSession's answer in.
const RESPONSE_VARIABLE: &str = "AWS_SSM_START_SESSION_RESPONSE";
/// How long a forward's plugin has to say it listens.
const PLUGIN_READY: Duration = Duration::from_secs(20);

fn aws_error<E: ProvideErrorMetadata>(operation: &str, error: &E) -> String {
    match (error.code(), error.message()) {
        (Some(code), message) => explain_aws_error(code, message.unwrap_or_default()),
        (None, _) => format!("{operation} failed: no answer from AWS (timed out or unreachable)"),
    }
}

#[async_trait]
impl Sessions for AwsBackend {
    async fn shell(&self, target: &Target, command: &str, size: (u16, u16)) -> Result<Shell, String> {
        match target {
            Target::Ecs {
                cluster,
                task,
                container,
                runtime_id,
            } => self
                .ecs_exec(cluster, task, container, runtime_id.as_deref(), command)
                .await
                .map(Shell::Program),
            Target::Pod {
                cluster,
                namespace,
                pod,
                container,
            } => self.pod_exec(cluster, namespace, pod, container, command, size).await,
            Target::KubeService { .. } => Err(NO_SERVICE_SHELL.into()),
        }
    }

    async fn tunnel(&self, target: &Target, ports: &Ports) -> Result<Box<dyn Tunnel>, String> {
        match target {
            Target::Ecs {
                cluster,
                task,
                runtime_id,
                container,
            } => {
                let runtime_id = self.runtime_id(cluster, task, container, runtime_id.as_deref()).await?;
                let tunnel = self.ssm_forward(cluster, task, &runtime_id, ports).await?;
                Ok(Box::new(tunnel))
            }
            Target::Pod {
                cluster,
                namespace,
                pod,
                ..
            } => {
                self.pod_tunnel(cluster, namespace, target, ports, |_| {
                    let pod = pod.clone();
                    async move { Ok((pod, ports.remote)) }
                })
                .await
            }
            Target::KubeService {
                cluster,
                namespace,
                name,
            } => {
                self.pod_tunnel(cluster, namespace, target, ports, |client| {
                    service_pod(client, namespace, name, ports.remote)
                })
                .await
            }
        }
    }
}

impl AwsBackend {
    /// A tunnel to a pod of `cluster`, which `aim` picks (and the port on it) with the
    /// cluster's client; a HOST is refused ([`Ports::fit`]).
    async fn pod_tunnel<F, Fut>(
        &self,
        cluster: &str,
        namespace: &str,
        target: &Target,
        ports: &Ports,
        aim: F,
    ) -> Result<Box<dyn Tunnel>, String>
    where
        F: FnOnce(kube::Client) -> Fut,
        Fut: std::future::Future<Output = Result<(String, u16), String>>,
    {
        ports.fit(target)?;
        let client = self.kube(cluster).await.map_err(|e| e.message)?.client();
        let (pod, port) = aim(client.clone()).await?;
        Ok(Box::new(PodTunnel {
            api: Api::namespaced(client, namespace),
            pod,
            port,
        }))
    }

    /// The plugin named in the options, else the one on `PATH`.
    fn plugin(&self) -> Result<std::path::PathBuf, String> {
        match &self.session_plugin {
            Some(path) if is_executable(path) => Ok(path.clone()),
            Some(_) => Err(PLUGIN_MISSING.into()),
            None => find_plugin().ok_or_else(|| PLUGIN_MISSING.into()),
        }
    }

    /// ECS ExecuteCommand, then the plugin's command line.
    async fn ecs_exec(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        runtime_id: Option<&str>,
        command: &str,
    ) -> Result<Program, String> {
        let plugin = self.plugin()?;
        let (region, c) = self.clients_for(task).await.map_err(|e| e.message)?;
        // Known before the session opens: a session is not left open for want of it.
        let runtime_id = self.runtime_id(cluster, task, container, runtime_id).await?;
        let out = c
            .ecs
            .execute_command()
            .cluster(cluster)
            .task(task)
            .container(container)
            .command(command)
            .interactive(true)
            .customize()
            .config_override(aws_sdk_ecs::config::Builder::default().retry_config(RetryConfig::disabled()))
            .send()
            .await
            .map_err(|e| aws_error("ECS ExecuteCommand", &e))?;
        let session = out.session().ok_or("ECS ExecuteCommand answered without a session")?;
        let response = json!({
            "sessionId": session.session_id(),
            "streamUrl": session.stream_url(),
            "tokenValue": session.token_value(),
        });
        let target = ssm_target(
            out.cluster_arn().unwrap_or(cluster),
            out.task_arn().unwrap_or(task),
            &runtime_id,
        );
        let parameters = json!({ "Target": target });
        // The AWS CLI puts ExecuteCommand's session on the plugin's command line, where any
        // user of a shared bastion host can read its token (`ps`); the plugin also takes
        // it from the variable the CLI uses for ssm start-session, and so does bosun.
        Ok(self
            .plugin_program(plugin, region, task, "ECS", &parameters, &response)
            .await)
    }

    /// The plugin as the AWS CLI starts it: the region, `StartSession`, the profile, the
    /// request's parameters and the endpoint of `service` (ECS or SSM) that answered; the
    /// session itself in [`RESPONSE_VARIABLE`].
    async fn plugin_program(
        &self,
        plugin: std::path::PathBuf,
        region: &str,
        task: &str,
        service: &str,
        parameters: &serde_json::Value,
        response: &serde_json::Value,
    ) -> Program {
        Program {
            program: plugin,
            args: vec![
                RESPONSE_VARIABLE.into(),
                region.to_string(),
                "StartSession".into(),
                self.profile_for(task).await,
                parameters.to_string(),
                self.endpoint_for(task, service, region).await,
            ],
            env: vec![(RESPONSE_VARIABLE.into(), response.to_string())],
        }
    }

    /// A container's runtime id: as the task list had it, else from DescribeTasks.
    async fn runtime_id(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        known: Option<&str>,
    ) -> Result<String, String> {
        if let Some(id) = known.filter(|id| !id.is_empty()) {
            return Ok(id.to_string());
        }
        let (_, c) = self.clients_for(task).await.map_err(|e| e.message)?;
        let out = c
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .tasks(task)
            .send()
            .await
            .map_err(|e| aws_error("ECS DescribeTasks", &e))?;
        out.tasks()
            .iter()
            .flat_map(|t| t.containers())
            .find(|c| c.name() == Some(container))
            .and_then(|c| c.runtime_id())
            .map(str::to_string)
            .ok_or_else(|| {
                format!(
                    "container {container} of task {} has no runtime id yet: is it running?",
                    arn_tail(task)
                )
            })
    }

    /// SSM StartSession with a port forwarding document, and the plugin listening on a
    /// local port of its own that bosun's listener connects to.
    async fn ssm_forward(
        &self,
        cluster: &str,
        task: &str,
        runtime_id: &str,
        ports: &Ports,
    ) -> Result<PluginTunnel, String> {
        let plugin = self.plugin()?;
        let (region, c) = self.clients_for(task).await.map_err(|e| e.message)?;
        let port = free_port().await?;
        let target = ssm_target(cluster, task, runtime_id);
        // Sorted by name, as the CLI's JSON has them.
        let mut parameters: std::collections::BTreeMap<&str, Vec<String>> = std::collections::BTreeMap::new();
        let document = match &ports.host {
            None => FORWARD_DOCUMENT,
            Some(host) => {
                parameters.insert("host", vec![host.clone()]);
                FORWARD_REMOTE_DOCUMENT
            }
        };
        parameters.insert("portNumber", vec![ports.remote.to_string()]);
        parameters.insert("localPortNumber", vec![port.to_string()]);
        let mut request = c.ssm.start_session().target(&target).document_name(document);
        for (name, values) in &parameters {
            request = request.parameters(*name, values.clone());
        }
        let out = request
            .customize()
            .config_override(aws_sdk_ssm::config::Builder::default().retry_config(RetryConfig::disabled()))
            .send()
            .await
            .map_err(|e| aws_error("SSM StartSession", &e))?;
        let response = json!({
            "SessionId": out.session_id(),
            "TokenValue": out.token_value(),
            "StreamUrl": out.stream_url(),
        });
        let request = json!({ "Target": target, "DocumentName": document, "Parameters": parameters });
        let program = self
            .plugin_program(plugin, region, task, "SSM", &request, &response)
            .await;
        PluginTunnel::start(&program, port).await
    }

    /// The exec subresource over WebSocket: a TTY the terminal's size, resized with it.
    async fn pod_exec(
        &self,
        cluster: &str,
        namespace: &str,
        pod: &str,
        container: &str,
        command: &str,
        (width, height): (u16, u16),
    ) -> Result<Shell, String> {
        let conn = self.kube(cluster).await.map_err(|e| e.message)?;
        let api: Api<Pod> = Api::namespaced(conn.client(), namespace);
        let argv = crate::util::shell_words(command);
        let params = AttachParams::interactive_tty().container(container);
        let mut attached = api
            .exec(pod, argv, &params)
            .await
            .map_err(|e| format!("exec in {namespace}/{pod} ({container}): {}", kube_error(&e)))?;
        let input = attached.stdin().ok_or("the exec has no stdin")?;
        let output = attached.stdout().ok_or("the exec has no stdout")?;
        let status = attached.take_status();
        let mut sizes = attached.terminal_size();
        if let Some(s) = sizes.as_mut() {
            let _ = s.try_send(TerminalSize { width, height });
        }
        let (resize, mut resized) = tokio::sync::mpsc::channel::<(u16, u16)>(4);
        tokio::spawn(async move {
            while let Some((width, height)) = resized.recv().await {
                if let Some(s) = sizes.as_mut() {
                    let _ = s.try_send(TerminalSize { width, height });
                }
            }
        });
        let done = Box::pin(async move {
            let status = match status {
                Some(status) => status.await,
                None => None,
            };
            attached.abort();
            Ok(match status {
                Some(s) if s.status.as_deref() == Some("Success") => "exit 0".to_string(),
                Some(s) => s.message.unwrap_or_else(|| "failed".into()),
                None => "ended".to_string(),
            })
        });
        Ok(Shell::Stream(Stream {
            input: Box::new(input),
            output: Box::new(output),
            resize: Some(resize),
            done,
        }))
    }
}

/// The pod a forward to a Service's `port` goes to, and the pod's port, as kubectl
/// port-forward picks them: the Service's port by number, its target port as its
/// EndpointSlices resolved it (a named target port too), and the first ready endpoint that
/// is a pod.
async fn service_pod(client: kube::Client, namespace: &str, name: &str, port: u16) -> Result<(String, u16), String> {
    use k8s_openapi::api::core::v1::Service;
    use k8s_openapi::api::discovery::v1::EndpointSlice;
    let service = Api::<Service>::namespaced(client.clone(), namespace)
        .get(name)
        .await
        .map_err(|e| format!("service {namespace}/{name}: {}", kube_error(&e)))?;
    let ports = service.spec.and_then(|s| s.ports).unwrap_or_default();
    let Some(wanted) = ports.iter().find(|p| p.port == i32::from(port)) else {
        let have: Vec<String> = ports.iter().map(|p| p.port.to_string()).collect();
        return Err(format!(
            "service {namespace}/{name} has no port {port} (it has {})",
            if have.is_empty() {
                "none".into()
            } else {
                have.join(", ")
            }
        ));
    };
    let label = format!("kubernetes.io/service-name={name}");
    let slices = Api::<EndpointSlice>::namespaced(client, namespace)
        .list(&kube::api::ListParams::default().labels(&label))
        .await
        .map_err(|e| format!("the endpoints of service {namespace}/{name}: {}", kube_error(&e)))?;
    for slice in slices.items.iter().filter(|s| {
        s.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/service-name"))
            .is_some_and(|n| n == name)
    }) {
        let target = slice
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref().unwrap_or_default() == wanted.name.as_deref().unwrap_or_default())
            .and_then(|p| p.port)
            .or(match &wanted.target_port {
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => Some(*n),
                _ => None,
            });
        let ready = slice.endpoints.iter().find(|e| {
            e.conditions.as_ref().and_then(|c| c.ready) != Some(false)
                && e.target_ref.as_ref().is_some_and(|r| r.kind.as_deref() == Some("Pod"))
        });
        if let (Some(target), Some(endpoint)) = (target, ready) {
            let pod = endpoint
                .target_ref
                .as_ref()
                .and_then(|r| r.name.clone())
                .unwrap_or_default();
            let target = u16::try_from(target).map_err(|_| format!("target port {target} is not a port"))?;
            return Ok((pod, target));
        }
    }
    Err(format!("service {namespace}/{name} has no ready pod to forward to"))
}

/// What the API server said, without kube's wrapping.
fn kube_error(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => format!("{} ({})", status.message, status.reason),
        other => other.to_string(),
    }
}

/// A port no one listens on now, for the plugin to listen on.
/// The SSM target of a task's container: `ecs:CLUSTER_TASKID_RUNTIMEID`.
fn ssm_target(cluster: &str, task: &str, runtime_id: &str) -> String {
    format!("ecs:{}_{}_{runtime_id}", arn_tail(cluster), arn_tail(task))
}

async fn free_port() -> Result<u16, String> {
    let probe = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("no free local port: {e}"))?;
    probe.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// `session-manager-plugin` running a port forwarding session on a local port of its own.
struct PluginTunnel {
    port: u16,
    child: std::sync::Mutex<Option<tokio::process::Child>>,
}

impl PluginTunnel {
    /// Start the plugin and wait until it says it listens (or why it cannot).
    async fn start(program: &Program, port: u16) -> Result<PluginTunnel, String> {
        let mut child = program
            .command()
            .env("SSM_PLUGIN_LOCAL_HOST", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| program.cannot_start(e))?;
        let stdout = child.stdout.take().ok_or("the plugin has no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut said = Vec::new();
        let ready = tokio::time::timeout(PLUGIN_READY, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("Waiting for connections") {
                    return true;
                }
                if !line.trim().is_empty() {
                    said.push(line);
                }
            }
            false
        })
        .await;
        if ready != Ok(true) {
            let _ = child.start_kill();
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                use tokio::io::AsyncReadExt;
                let _ = tokio::time::timeout(Duration::from_secs(1), stderr.read_to_string(&mut err)).await;
            }
            said.extend(err.lines().map(str::to_string));
            let why = said.last().cloned().unwrap_or_else(|| "it said nothing".into());
            return Err(format!("session-manager-plugin did not start the forward: {why}"));
        }
        // The plugin keeps writing to its outputs: read them so it never blocks.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(_)) = lines.next_line().await {}
            });
        }
        Ok(PluginTunnel {
            port,
            child: std::sync::Mutex::new(Some(child)),
        })
    }
}

#[async_trait]
impl Tunnel for PluginTunnel {
    async fn connect(&self) -> Result<Io, String> {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .map_err(|e| format!("the session plugin's port {}: {e}", self.port))?;
        Ok(Box::new(stream))
    }

    fn gone(&self) -> Option<String> {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        match child.as_mut()?.try_wait() {
            Ok(Some(status)) => Some(format!(
                "session-manager-plugin exited ({status}): the SSM session ended (idle timeout, or the task stopped)"
            )),
            _ => None,
        }
    }
}

impl Drop for PluginTunnel {
    /// Ask the plugin to end its session (SIGTERM, as Ctrl-C would), then make sure.
    fn drop(&mut self) {
        let taken = self.child.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(mut child) = taken else { return };
        #[cfg(unix)]
        if let Some(pid) = child.id() {
            // SAFETY: kill(2) on the plugin's own pid, which this process started and has
            // not reaped yet (the Child is still held), so the pid is not reused.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if tokio::time::timeout(Duration::from_secs(3), child.wait())
                    .await
                    .is_err()
                {
                    let _ = child.kill().await;
                }
            });
        }
    }
}

/// A port of a pod, through the API server's portforward subresource: one WebSocket per
/// connection.
struct PodTunnel {
    api: Api<Pod>,
    pod: String,
    port: u16,
}

#[async_trait]
impl Tunnel for PodTunnel {
    async fn connect(&self) -> Result<Io, String> {
        let mut forwarder = self
            .api
            .portforward(&self.pod, &[self.port])
            .await
            .map_err(|e| format!("port-forward to {}:{}: {}", self.pod, self.port, kube_error(&e)))?;
        let stream = forwarder
            .take_stream(self.port)
            .ok_or_else(|| format!("port-forward to {}:{} has no stream", self.pod, self.port))?;
        tokio::spawn(async move {
            if let Err(error) = forwarder.join().await {
                tracing::debug!(%error, "a port-forward connection ended");
            }
        });
        Ok(Box::new(stream))
    }
}
