//! The AWS console page of a resource, from its ARN; and OSC 52, which puts text on the
//! clipboard of the terminal in front of the user, over ssh too.

/// The console host of an ARN's partition and region.
fn host(partition: &str, region: &str) -> Option<String> {
    match partition {
        "aws" => Some(format!("https://{region}.console.aws.amazon.com")),
        "aws-cn" => Some(format!("https://{region}.console.amazonaws.cn")),
        "aws-us-gov" => Some("https://console.amazonaws-us-gov.com".to_string()),
        _ => None,
    }
}

/// The console URL of an ECS or EKS resource (cluster, service, task, task definition,
/// container instance, EKS cluster, ECR repository), in the resource's own region.
/// `cluster` names the cluster of an old-format service or task ARN, which has none.
pub fn url(arn: &str, cluster: Option<&str>) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if region.is_empty() {
        return None;
    }
    let base = host(partition, region)?;
    let cluster = cluster.map(crate::util::arn_tail);
    let segments: Vec<&str> = resource.split('/').collect();
    let path = match (service, segments.as_slice()) {
        ("ecs", ["cluster", name]) => format!("/ecs/v2/clusters/{name}/services"),
        ("ecs", ["service", cluster, name]) => format!("/ecs/v2/clusters/{cluster}/services/{name}"),
        ("ecs", ["service", name]) => format!("/ecs/v2/clusters/{}/services/{name}", cluster?),
        ("ecs", ["task", cluster, id]) => format!("/ecs/v2/clusters/{cluster}/tasks/{id}"),
        ("ecs", ["task", id]) => format!("/ecs/v2/clusters/{}/tasks/{id}", cluster?),
        ("ecs", ["task-definition", family_revision]) => {
            let (family, revision) = family_revision.rsplit_once(':')?;
            format!("/ecs/v2/task-definitions/{family}/{revision}")
        }
        ("ecs", ["container-instance", cluster, _]) => format!("/ecs/v2/clusters/{cluster}/infrastructure"),
        ("eks", ["cluster", name]) => return Some(format!("{base}/eks/home?region={region}#/clusters/{name}")),
        ("ecr", ["repository", name @ ..]) if !name.is_empty() => {
            format!("/ecr/repositories/private/{account}/{}", name.join("/"))
        }
        _ => return None,
    };
    Some(format!("{base}{path}?region={region}"))
}

/// The OSC 52 sequence that sets the clipboard to `text`: `ESC ] 52 ; c ; BASE64 ST`.
/// Terminals (and tmux with `set-clipboard`) take it from a program on a remote host.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x1b\\", base64(text.as_bytes()))
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn osc52_wraps_base64_in_the_escape() {
        assert_eq!(
            osc52("arn:aws:ecs:us-east-1:1:cluster/web"),
            "\x1b]52;c;YXJuOmF3czplY3M6dXMtZWFzdC0xOjE6Y2x1c3Rlci93ZWI=\x1b\\"
        );
    }

    #[test]
    fn console_urls_of_ecs_and_eks_resources() {
        let cases = [
            (
                "arn:aws:ecs:eu-west-1:123456789012:cluster/prod-web",
                "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod-web/services?region=eu-west-1",
            ),
            (
                "arn:aws:ecs:us-east-1:123456789012:service/prod-web/checkout",
                "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-web/services/checkout?region=us-east-1",
            ),
            (
                "arn:aws:ecs:us-east-1:123456789012:task/prod-web/0f3c9d2a8b7e4c1d",
                "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-web/tasks/0f3c9d2a8b7e4c1d?region=us-east-1",
            ),
            (
                "arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:42",
                "https://us-east-1.console.aws.amazon.com/ecs/v2/task-definitions/checkout/42?region=us-east-1",
            ),
            (
                "arn:aws:ecs:us-east-1:123456789012:container-instance/workers/9a8b",
                "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/workers/infrastructure?region=us-east-1",
            ),
            (
                "arn:aws:eks:ap-southeast-2:123456789012:cluster/platform",
                "https://ap-southeast-2.console.aws.amazon.com/eks/home?region=ap-southeast-2#/clusters/platform",
            ),
            (
                "arn:aws:ecr:us-east-1:123456789012:repository/team/api",
                "https://us-east-1.console.aws.amazon.com/ecr/repositories/private/123456789012/team/api?region=us-east-1",
            ),
            (
                "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/web",
                "https://cn-north-1.console.amazonaws.cn/ecs/v2/clusters/web/services?region=cn-north-1",
            ),
            (
                "arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/web",
                "https://console.amazonaws-us-gov.com/ecs/v2/clusters/web/services?region=us-gov-west-1",
            ),
        ];
        for (arn, want) in cases {
            assert_eq!(url(arn, None).as_deref(), Some(want), "{arn}");
        }
    }

    #[test]
    fn old_format_arns_need_their_cluster() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:service/checkout";
        assert_eq!(url(arn, None), None);
        assert_eq!(
            url(arn, Some("arn:aws:ecs:us-east-1:123456789012:cluster/prod-web")).as_deref(),
            Some(
                "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-web/services/checkout?region=us-east-1"
            )
        );
        for not_one in [
            "ecs-svc/123",
            "",
            "arn:aws:s3:::bucket",
            "arn:aws:ecs:us-east-1:1:capacity-provider/x",
        ] {
            assert_eq!(url(not_one, None), None, "{not_one}");
        }
    }
}
