//! The AWS accounts bosun reads: each by a short name (a profile's, or an account's name
//! in AWS Organizations), with its id once known, how it is reached, and its regions.

use serde::Serialize;

/// One AWS account of the fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// What the user calls it: the profile's name, or its name in Organizations.
    pub name: String,
    /// The 12-digit id, once known (from STS, or from Organizations).
    pub id: Option<String>,
    /// How bosun reaches it, for messages: `profile prod`, `role ReadOnly from profile mgmt`.
    pub via: String,
    /// The profile whose sign-in fixes it (`aws sso login --profile X`).
    pub profile: Option<String>,
    /// The role assumed into it from `profile`, for an organization's account.
    pub role: Option<String>,
    pub regions: Vec<String>,
}

impl Account {
    /// An account known by name only, read through the profile of that name.
    pub fn named(name: &str, regions: Vec<String>) -> Self {
        Account {
            name: name.to_string(),
            id: None,
            via: format!("profile {name}"),
            profile: Some(name.to_string()),
            role: None,
            regions,
        }
    }

    /// `name (id)`, or the name alone until the id is known.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) if *id != self.name => format!("{} ({id})", self.name),
            _ => self.name.clone(),
        }
    }
}

/// Whether `name` matches a glob of `*` and `?` (`prod-*`), as profile lists take them.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

pub use crate::util::arn_account;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_names() {
        assert!(glob_match("prod-*", "prod-payments"));
        assert!(glob_match("prod-*", "prod-"));
        assert!(!glob_match("prod-*", "staging-prod"));
        assert!(glob_match("*-prod", "shop-prod"));
        assert!(glob_match("acct-?", "acct-a"));
        assert!(!glob_match("acct-?", "acct-ab"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }

    #[test]
    fn account_ids_come_from_arns() {
        assert_eq!(
            arn_account("arn:aws:ecs:us-east-1:123456789012:cluster/web"),
            Some("123456789012")
        );
        assert_eq!(arn_account("arn:aws:iam::111111111111:role/x"), Some("111111111111"));
        assert_eq!(arn_account("web"), None);
    }
}
