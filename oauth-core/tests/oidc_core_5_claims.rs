//! Claims about the user (OpenID Connect Core 1.0 §5): the claims each
//! scope requests (§5.4), the `claims` request parameter (§5.5), and what
//! is released by both.

use oauth_core::oidc::{ClaimsRequest, claims_of_scope, release_claims};
use oauth_core::{ErrorCode, Scope};
use serde_json::{Map, Value, json};

fn alice() -> Map<String, Value> {
    let Value::Object(m) = json!({
        "name": "Alice Liddell",
        "preferred_username": "alice",
        "email": "alice@example.test",
        "email_verified": false,
        "phone_number": "+1 555 0100",
        "address": {"country": "GB"},
        "picture": null,
        "sub": "someone-else",
    }) else {
        unreachable!()
    };
    m
}

fn scope(s: &str) -> Scope {
    Scope::parse(s).unwrap()
}

#[test]
fn oidc_core_5_4_each_scope_requests_its_standard_claims() {
    assert!(claims_of_scope("profile").contains(&"preferred_username"));
    assert!(claims_of_scope("profile").contains(&"updated_at"));
    assert_eq!(claims_of_scope("email"), ["email", "email_verified"]);
    assert_eq!(claims_of_scope("address"), ["address"]);
    assert_eq!(
        claims_of_scope("phone"),
        ["phone_number", "phone_number_verified"]
    );
    assert!(claims_of_scope("openid").is_empty());
    assert!(claims_of_scope("api:read").is_empty());
}

#[test]
fn oidc_core_5_3_2_sub_is_always_released_and_never_the_sites_own_value() {
    let out = release_claims("42", &alice(), &scope("openid"), None);
    assert_eq!(Value::Object(out), json!({"sub": "42"}));
}

#[test]
fn oidc_core_5_4_claims_are_released_by_the_granted_scope_only() {
    let out = release_claims("42", &alice(), &scope("openid email"), None);
    assert_eq!(
        Value::Object(out),
        json!({"sub": "42", "email": "alice@example.test", "email_verified": false})
    );
    let out = release_claims("42", &alice(), &scope("openid profile"), None);
    assert_eq!(out["name"], "Alice Liddell");
    assert_eq!(out["preferred_username"], "alice");
    assert!(!out.contains_key("email"), "email needs the email scope");
    // §5.3.2: a claim with no value is left out, not sent as null.
    assert!(!out.contains_key("picture"));
    assert!(!out.contains_key("nickname"), "a claim the site lacks");
}

#[test]
fn oidc_core_5_5_individual_claims_are_released_when_asked_for_by_name() {
    let request =
        ClaimsRequest::parse(r#"{"userinfo":{"phone_number":{"essential":true},"nickname":null}}"#)
            .unwrap();
    let out = release_claims("42", &alice(), &scope("openid"), Some(&request.userinfo));
    assert_eq!(
        Value::Object(out),
        json!({"sub": "42", "phone_number": "+1 555 0100"})
    );
    assert!(request.id_token.is_empty());
}

#[test]
fn oidc_core_5_5_1_a_claim_is_null_or_an_object_of_essential_value_values() {
    let r = ClaimsRequest::parse(
        r#"{"id_token":{"acr":{"values":["urn:mace:incommon:iap:silver"]},
                        "sub":{"value":"248289761001"},"auth_time":{"essential":true}},
            "x-extension":{"ignored":true}}"#,
    )
    .unwrap();
    let acr = r.id_token["acr"].as_ref().unwrap();
    assert_eq!(
        acr.values.as_deref(),
        Some(&[json!("urn:mace:incommon:iap:silver")][..])
    );
    assert!(!acr.essential);
    assert_eq!(
        r.id_token["sub"].as_ref().unwrap().value,
        Some(json!("248289761001"))
    );
    assert!(r.id_token["auth_time"].as_ref().unwrap().essential);
}

#[test]
fn oidc_core_5_5_a_malformed_claims_parameter_is_invalid_request() {
    for bad in [
        "not json",
        "[]",
        r#""userinfo""#,
        r#"{"userinfo":[]}"#,
        r#"{"userinfo":{"email":true}}"#,
        r#"{"id_token":{"acr":{"essential":"yes"}}}"#,
        r#"{"id_token":{"acr":{"unknown_member":1}}}"#,
    ] {
        let e = ClaimsRequest::parse(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{bad}");
        assert!(e.description.contains("claims"), "{bad}");
    }
}
