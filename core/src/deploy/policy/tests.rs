//! Policy: every key, bad values that never loosen, what Chromium dropped.

use super::*;

fn parse(text: &str) -> Policy {
    Policy::from_json(&serde_json::from_str::<Json>(text).unwrap())
}

#[test]
fn no_policy_is_the_demo_default() {
    for raw in ["null", "{}"] {
        let p = parse(raw);
        assert!(!p.managed);
        assert_eq!(p.allowed_origins, LOOPBACK.map(String::from).to_vec());
        assert_eq!(p.bundle, BundleSource::BuiltIn);
        assert_eq!(p.trusted_keys, None);
        assert!(p.features.recorder && p.features.search && p.features.auto_start);
        assert!(p.problems.is_empty());
    }
}

#[test]
fn a_full_policy() {
    let p = parse(
        r##"{
        "allowed_origins": ["https://crm.acme.example", "https://*.acme.example"],
        "bundle_url": "https://cdn.acme.example/waymark/content.wmb?token=s3cret",
        "update_interval_minutes": 30,
        "trusted_keys": ["8A5QbBvGDs8lbYCXEIcm23R22tlFsVBk+2yp1B9uoAM="],
        "environment": "staging",
        "user": { "from_page": { "id": "#me@data-user-id", "roles": "meta[name=roles]@content", "region": "#me" } },
        "features": { "search": false },
        "support": { "name": "IT service desk", "url": "mailto:it@acme.example" },
        "analytics": { "endpoint": "https://lrs.acme.example/xapi", "auth": "Basic dXNlcjpwYXNz", "batch_size": 20, "key": "pseudo-K3y-42", "identify": false }
    }"##,
    );
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.allowed_origins.len(), 2);
    assert_eq!(p.update_interval_minutes, 30);
    assert_eq!(p.environment, Env::Staging);
    assert!(!p.features.search && !p.features.recorder && p.features.auto_start);
    let fp = p.user.from_page.as_ref().unwrap();
    assert_eq!(
        fp.id,
        Some(PageField {
            selector: "#me".into(),
            attribute: Some("data-user-id".into())
        })
    );
    assert_eq!(fp.region.as_ref().unwrap().attribute, None);
    let shown = p.masked().to_string();
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(!shown.contains("dXNlcjpwYXNz"), "{shown}");
    assert!(shown.contains("Basic •••"), "{shown}");
    assert!(!shown.contains("K3y-42"), "{shown}");
    let a = p.analytics.as_ref().unwrap();
    assert_eq!(
        (a.key.as_deref(), a.identify),
        (Some("pseudo-K3y-42"), false)
    );
    assert!(shown.contains("\"8A5QbBvG\""), "{shown}");
}

#[test]
fn bad_values_never_loosen() {
    let p = parse(r#"{ "trusted_keys": "8A5QbBvGDs8lbYCXEIcm23R22tlFsVBk+2yp1B9uoAM=" }"#);
    assert_eq!(p.trusted_keys, Some(vec![]), "a wrong type trusts nothing");
    let p = parse(r#"{ "trusted_keys": [] }"#);
    assert_eq!(p.trusted_keys, Some(vec![]));
    assert!(p.problems[0].message.contains("no usable key"));
    let p = parse(r#"{ "allowed_origins": ["https://*", 7] }"#);
    assert!(p.allowed_origins.is_empty(), "bad entries allow nothing");
    assert_eq!(p.problems.len(), 2);
    let p = parse(r#"{ "bundle_url": "http://cdn.acme.example/c.wmb" }"#);
    assert_eq!(p.bundle, BundleSource::Invalid);
    assert!(p.problems[0].message.contains("only for loopback"));
    assert_eq!(
        parse(r#"{ "bundle_url": "http://127.0.0.1:9/c.wmb" }"#).bundle,
        BundleSource::Remote {
            url: "http://127.0.0.1:9/c.wmb".into()
        }
    );
    let p = parse(r#"[1]"#);
    assert!(p.managed && p.allowed_origins.is_empty() && p.trusted_keys == Some(vec![]));
}

#[test]
fn every_problem_names_its_key() {
    let p = parse(
        r#"{
        "update_interval_minutes": 2,
        "environment": "prod",
        "user": { "id": 5, "from_page": { "id": "@data-id" }, "nickname": "x" },
        "features": { "search": "yes" },
        "support": { "name": "Desk", "url": "http://help.acme.example" },
        "analytics": { "endpoint": "https://lrs.example", "batch_size": 0 },
        "bundle_ur": "https://x.example/c.wmb"
    }"#,
    );
    let keys: Vec<&str> = p.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "bundle_ur",
            "update_interval_minutes",
            "environment",
            "user.nickname",
            "user.id",
            "user.from_page.id",
            "features.search",
            "support.url",
            "analytics.batch_size",
        ]
    );
    assert_eq!(p.update_interval_minutes, DEFAULT_INTERVAL_MINUTES);
    assert_eq!(p.environment, Env::Production);
    assert!(p.features.search);
}

#[test]
fn keys_chromium_dropped_are_named_and_fail_closed() {
    // Chromium dropped trusted_keys, allowed_origins and the interval.
    let p = parse(
        r#"{ "_keys": ["trusted_keys", "allowed_origins", "update_interval_minutes", "bundle_url"],
             "bundle_url": "https://cdn.acme.example/c.wmb" }"#,
    );
    assert_eq!(p.trusted_keys, Some(vec![]));
    assert!(p.allowed_origins.is_empty());
    let msgs: Vec<String> = p
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.key, p.message))
        .collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(
        msgs[2].starts_with("update_interval_minutes: was set but did not arrive"),
        "{msgs:?}"
    );
    assert!(
        msgs[2].contains("a whole number from 5 to 1440"),
        "{msgs:?}"
    );
}

#[test]
fn the_schema_declares_exactly_the_policy_keys() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../../extension/managed_schema.json")).unwrap();
    let declared: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut known = KEYS.to_vec();
    known.sort_unstable();
    let mut declared = declared;
    declared.sort_unstable();
    assert_eq!(declared, known);
}

#[test]
fn page_fields() {
    let f = PageField::parse("meta[name=\"user@id\"]").unwrap();
    assert_eq!(
        f.attribute, None,
        "an @ inside a quoted value is part of the selector"
    );
    let f = PageField::parse("header .user [data-x] @ data-user-id").unwrap();
    assert_eq!(f.selector, "header .user [data-x]");
    assert!(PageField::parse("").is_err());
}

#[test]
fn keys_for_each_source() {
    let none = Policy::default();
    assert_eq!(none.keys_for(true, Some("D")), KeyChoice::Demo("D".into()));
    assert_eq!(none.keys_for(false, Some("D")), KeyChoice::None);
    let named = parse(r#"{ "trusted_keys": ["8A5QbBvGDs8lbYCXEIcm23R22tlFsVBk+2yp1B9uoAM="] }"#);
    assert!(matches!(
        named.keys_for(true, Some("D")),
        KeyChoice::Policy(_)
    ));
}

#[test]
fn incognito_recording_is_off_unless_the_admin_turns_it_on() {
    assert!(!parse("{}").record_incognito);
    assert!(!parse(r#"{ "analytics": { "endpoint": "https://lrs.example" } }"#).record_incognito);
    // Without an endpoint too: records are queued locally either way.
    let on = parse(r#"{ "analytics": { "incognito": true } }"#);
    assert!(
        on.record_incognito && on.problems.is_empty(),
        "{:?}",
        on.problems
    );
    let bad =
        parse(r#"{ "analytics": { "endpoint": "https://lrs.example", "incognito": "yes" } }"#);
    assert!(!bad.record_incognito);
    assert_eq!(bad.problems[0].key, "analytics.incognito");
}

#[test]
fn deep_links_take_a_parameter_name_or_are_turned_off() {
    assert_eq!(parse("{}").deep_link.as_deref(), Some("waymark"));
    assert_eq!(
        parse(r#"{"deep_link": "help"}"#).deep_link.as_deref(),
        Some("help")
    );
    assert_eq!(parse(r#"{"deep_link": ""}"#).deep_link, None);
    let bad = parse(r#"{"deep_link": "a b"}"#);
    assert_eq!(bad.deep_link.as_deref(), Some("waymark"));
    assert!(
        bad.problems[0]
            .message
            .contains("`a b` is not a parameter name"),
        "{:?}",
        bad.problems
    );
    let wrong = parse(r#"{"deep_link": false}"#);
    assert_eq!(wrong.deep_link.as_deref(), Some("waymark"));
    assert_eq!(wrong.problems.len(), 1);
    assert_eq!(
        parse(r#"{"deep_link": "help"}"#).masked().get("deep_link"),
        Some(&Json::str("help"))
    );
}
