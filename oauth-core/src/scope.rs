//! Scopes (RFC 6749 §3.3): a space-delimited, case-sensitive set of tokens.

use std::fmt;

use crate::error::OAuth2Error;

/// A set of scope tokens, kept in the order first given (so a consent page
/// shows them as the client asked) with duplicates removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(Vec<String>);

impl Scope {
    /// The empty scope.
    pub fn empty() -> Scope {
        Scope(Vec::new())
    }

    /// Parses a `scope` parameter, rejecting characters that RFC 6749 §3.3
    /// does not allow in a scope token (`invalid_scope`).
    ///
    /// ```
    /// use oauth_core::Scope;
    /// let s = Scope::parse("profile email profile").unwrap();
    /// assert_eq!(s.to_string(), "profile email");
    /// assert!(Scope::parse("bad\"quote").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Scope, OAuth2Error> {
        let mut tokens: Vec<String> = Vec::new();
        for token in text.split(' ').filter(|t| !t.is_empty()) {
            if !token
                .bytes()
                .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
            {
                return Err(OAuth2Error::invalid_scope(
                    "the scope contains a character that is not allowed in a scope token",
                ));
            }
            if !tokens.iter().any(|t| t == token) {
                tokens.push(token.to_owned());
            }
        }
        Ok(Scope(tokens))
    }

    /// Parses stored scope text leniently: tokens that would not parse are
    /// dropped rather than failing (the text came from our own storage).
    pub fn from_stored(text: &str) -> Scope {
        let mut tokens: Vec<String> = Vec::new();
        for token in text.split_whitespace() {
            if !tokens.iter().any(|t| t == token) {
                tokens.push(token.to_owned());
            }
        }
        Scope(tokens)
    }

    /// Builds a scope from tokens (duplicates removed).
    pub fn from_tokens<I, T>(tokens: I) -> Scope
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        for t in tokens {
            let t = t.as_ref();
            if !t.is_empty() && !out.iter().any(|o| o == t) {
                out.push(t.to_owned());
            }
        }
        Scope(out)
    }

    /// The tokens, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether the scope holds `token`.
    pub fn contains(&self, token: &str) -> bool {
        self.0.iter().any(|t| t == token)
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether every token of `self` is in `other`.
    pub fn is_subset_of(&self, other: &Scope) -> bool {
        self.0.iter().all(|t| other.contains(t))
    }

    /// The tokens of `self` that are also in `other`, in `self`'s order.
    pub fn intersection(&self, other: &Scope) -> Scope {
        Scope(
            self.0
                .iter()
                .filter(|t| other.contains(t))
                .cloned()
                .collect(),
        )
    }

    /// The tokens of `self` that are not in `other`, in `self`'s order.
    ///
    /// ```
    /// use oauth_core::Scope;
    /// let asked = Scope::from_stored("read write admin");
    /// assert_eq!(asked.difference(&Scope::from_stored("write")).to_string(), "read admin");
    /// ```
    pub fn difference(&self, other: &Scope) -> Scope {
        Scope(
            self.0
                .iter()
                .filter(|t| !other.contains(t))
                .cloned()
                .collect(),
        )
    }

    /// The tokens of `self`, then those of `other` not in `self`.
    ///
    /// ```
    /// use oauth_core::Scope;
    /// let granted = Scope::from_stored("read");
    /// assert_eq!(granted.union(&Scope::from_stored("write read")).to_string(), "read write");
    /// ```
    pub fn union(&self, other: &Scope) -> Scope {
        let mut out = self.clone();
        for t in &other.0 {
            if !out.contains(t) {
                out.0.push(t.clone());
            }
        }
        out
    }

    /// Whether both hold the same tokens, whatever the order.
    pub fn same_set(&self, other: &Scope) -> bool {
        self.len() == other.len() && self.is_subset_of(other)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

/// What a protected resource requires of a token's scope (RFC 6750 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRequirement {
    /// Any valid token will do.
    None,
    /// The token must hold at least one of these scopes.
    AnyOf(Scope),
    /// The token must hold all of these scopes.
    AllOf(Scope),
}

impl ScopeRequirement {
    /// Requires all of the given scope tokens.
    pub fn all_of<I: IntoIterator<Item = T>, T: AsRef<str>>(tokens: I) -> ScopeRequirement {
        ScopeRequirement::AllOf(Scope::from_tokens(tokens))
    }

    /// Requires at least one of the given scope tokens.
    pub fn any_of<I: IntoIterator<Item = T>, T: AsRef<str>>(tokens: I) -> ScopeRequirement {
        ScopeRequirement::AnyOf(Scope::from_tokens(tokens))
    }

    /// Whether `granted` satisfies the requirement.
    pub fn is_satisfied_by(&self, granted: &Scope) -> bool {
        match self {
            ScopeRequirement::None => true,
            ScopeRequirement::AllOf(required) => required.is_subset_of(granted),
            ScopeRequirement::AnyOf(required) => {
                required.is_empty() || required.iter().any(|t| granted.contains(t))
            }
        }
    }

    /// The scope to name in an `insufficient_scope` challenge.
    pub fn scope(&self) -> Option<&Scope> {
        match self {
            ScopeRequirement::None => None,
            ScopeRequirement::AnyOf(s) | ScopeRequirement::AllOf(s) => Some(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6749_3_3_scope_is_case_sensitive_and_space_delimited() {
        let s = Scope::parse("Profile  profile").unwrap();
        assert_eq!(s.len(), 2);
        assert!(s.contains("Profile") && s.contains("profile"));
    }

    #[test]
    fn rfc6749_3_3_scope_token_charset() {
        for bad in ["a\"b", "a\\b", "caf\u{e9}", "a\tb"] {
            assert_eq!(
                Scope::parse(bad).unwrap_err().code.as_str(),
                "invalid_scope",
                "{bad:?}"
            );
        }
        assert!(Scope::parse("a:b/c.d!#[]~").is_ok());
    }

    #[test]
    fn any_of_and_all_of() {
        let granted = Scope::parse("a b").unwrap();
        assert!(ScopeRequirement::all_of(["a", "b"]).is_satisfied_by(&granted));
        assert!(!ScopeRequirement::all_of(["a", "c"]).is_satisfied_by(&granted));
        assert!(ScopeRequirement::any_of(["c", "b"]).is_satisfied_by(&granted));
        assert!(!ScopeRequirement::any_of(["c", "d"]).is_satisfied_by(&granted));
        assert!(ScopeRequirement::None.is_satisfied_by(&Scope::empty()));
    }
}
