//! JSON as YAML, the way `kubectl get -o yaml` prints it: keys in order, strings quoted
//! only where YAML would read them as something else, multi-line strings as blocks.

use serde_json::Value;

/// `value` as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => sequence(&mut out, items, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (key, value) in map {
        pad(out, indent);
        out.push_str(&string(key));
        out.push(':');
        value_after_key(out, value, indent);
    }
}

/// What follows `key:`: a scalar on the line, or a nested block below it.
fn value_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            mapping(out, map, indent + 2);
        }
        // Lists under a key are not indented further, as kubectl prints them.
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            sequence(out, items, indent);
        }
        Value::String(s) if s.contains('\n') => block(out, s, indent + 2),
        scalar => {
            out.push(' ');
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

fn sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first key on the dash's line, the rest below it.
                let mut first = true;
                for (key, value) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        pad(out, indent + 2);
                    }
                    out.push_str(&string(key));
                    out.push(':');
                    value_after_key(out, value, indent + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                sequence(out, inner, indent + 2);
            }
            Value::String(s) if s.contains('\n') => block(out, s, indent + 2),
            scalar => {
                out.push(' ');
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

/// A multi-line string as a literal block.
fn block(out: &mut String, s: &str, indent: usize) {
    out.push_str(if s.ends_with('\n') { " |\n" } else { " |-\n" });
    for line in s.trim_end_matches('\n').split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// A string as it stands in YAML: plain where it reads back as the same string, else
/// in double quotes.
fn string(s: &str) -> String {
    let reads_as_other = matches!(
        s.to_ascii_lowercase().as_str(),
        "" | "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) || s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o");
    let special = s.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ',
    ]) || s.ends_with([' ', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control());
    if reads_as_other || special {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_reads_as_kubectl_prints_it() {
        let pod = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web-1", "labels": {"app": "web", "tier": "1"}, "annotations": {}},
            "spec": {
                "containers": [{"name": "web", "image": "nginx:1.27", "args": ["-g", "daemon off;"],
                                "ports": [{"containerPort": 80}]}],
                "nodeSelector": null
            },
            "data": {"script": "echo a\necho b\n"},
            "status": {"phase": "Running", "ready": true, "message": "a: b"}
        });
        assert_eq!(
            to_yaml(&pod),
            "apiVersion: v1\n\
             data:\n  script: |\n    echo a\n    echo b\n\
             kind: Pod\n\
             metadata:\n  annotations: {}\n  labels:\n    app: web\n    tier: \"1\"\n  name: web-1\n\
             spec:\n  containers:\n  - args:\n    - \"-g\"\n    - daemon off;\n    image: nginx:1.27\n    name: web\n    ports:\n    - containerPort: 80\n  nodeSelector: null\n\
             status:\n  message: \"a: b\"\n  phase: Running\n  ready: true\n"
        );
    }
}
