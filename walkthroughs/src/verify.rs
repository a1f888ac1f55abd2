//! `waymark verify --policy policy.json content.wmb`: the checks a browser
//! under that policy runs before it uses a bundle, so an admin can check a
//! bundle before publishing it.
//!
//! ```text
//!  policy file ─▶ the extension's entry (3rdparty) ─▶ what Chromium keeps (managed_schema.json)
//!              ─▶ deploy::Policy::from_json ─▶ deploy::admit(bytes, downloaded) ─▶ ok / refused
//! ```
//!
//! It owns reading the admin's file in the shapes admins write (the
//! extension's own object, a Chromium policy file, a Firefox
//! `policies.json`) and mimicking Chromium's schema filter. Every decision
//! about the bundle is `waymark_core::deploy`'s, the same code the extension
//! runs.

use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;
use waymark_core::deploy::{self, policy::BundleSource, Json, Policy, Source};

/// The schema Chromium validates policy against (shipped in the extension).
const MANAGED_SCHEMA: &str = include_str!("../../extension/managed_schema.json");
/// The built-in demo public key, for `--source built-in`.
const DEMO_KEY: &str = include_str!("../../extension/keys/demo-public-key.txt");

pub struct Options<'a> {
    pub policy: &'a Path,
    pub bundle: &'a Path,
    pub extension_id: Option<&'a str>,
    pub in_use: Option<u64>,
    pub built_in: bool,
}

pub fn verify_with_policy(o: &Options) -> ExitCode {
    match run(o) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(o: &Options) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(o.policy)
        .map_err(|e| format!("cannot read {}: {e}", o.policy.display()))?;
    let file: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e}",
            o.policy.display(),
            e.line(),
            e.column()
        )
    })?;
    let (entry, from) = extension_entry(&file, o.extension_id)
        .map_err(|e| format!("{}: {e}", o.policy.display()))?;
    let schema: Value = serde_json::from_str(MANAGED_SCHEMA)
        .map_err(|e| format!("the built-in managed_schema.json does not parse: {e}"))?;
    let (kept, dropped) = chromium_filter(&schema, &entry);
    let raw: Json = serde_json::from_value(kept).map_err(|e| e.to_string())?;
    let policy = Policy::from_json(&raw);
    println!("policy: {} ({from})", o.policy.display());
    for d in &dropped {
        println!("  dropped by Chromium: {d}");
    }
    for p in &policy.problems {
        println!("  not used: {}: {}", p.key, p.message);
    }
    if let BundleSource::Invalid = policy.bundle {
        println!("  bundle_url is unusable: browsers under this policy download nothing");
    }
    let bytes =
        std::fs::read(o.bundle).map_err(|e| format!("cannot read {}: {e}", o.bundle.display()))?;
    let source = if o.built_in {
        Source::BuiltIn
    } else {
        Source::Downloaded
    };
    let now = crate::author::now_unix();
    match deploy::admit(
        &bytes,
        source,
        &policy,
        o.in_use,
        now,
        Some(DEMO_KEY.trim()),
    ) {
        Ok(a) => {
            let m = &a.bundle.manifest;
            println!(
                "ok: {} would be used (bundle version {}, {}, signed by a {} key, expires {}; {} walkthroughs, {} articles)",
                o.bundle.display(),
                m.bundle_version,
                m.env.as_str(),
                a.keys,
                m.expiry_date(),
                a.bundle.library.walkthroughs.len(),
                a.bundle.library.articles.len(),
            );
            if a.origins.is_empty() {
                println!("  runs on: nowhere (policy allowed_origins and the bundle's scope do not meet)");
            } else {
                println!("  runs on: {}", a.origins.join(", "));
            }
            let days = (m.expires - now) / 86_400;
            if days < 14 {
                println!("  warning: it expires in {days} days; publish a fresh build before then");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("refused: {}: {e}", o.bundle.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The extension's policy object in any of the shapes an admin has at hand:
/// a Chromium policy file (`3rdparty.extensions.<id>`), a Firefox
/// `policies.json` (`policies.3rdparty.Extensions.<id>`), or the object
/// itself. Returns it and a note saying which shape it was.
fn extension_entry(file: &Value, id: Option<&str>) -> Result<(Value, String), String> {
    let entries = file
        .pointer("/3rdparty/extensions")
        .map(|e| (e, "Chromium policy file"))
        .or_else(|| {
            file.pointer("/policies/3rdparty/Extensions")
                .map(|e| (e, "Firefox policies.json"))
        });
    let Some((entries, shape)) = entries else {
        if file.is_object() {
            return Ok((file.clone(), "the extension's policy object".into()));
        }
        return Err("is not a JSON object".into());
    };
    let Some(map) = entries.as_object() else {
        return Err(format!("the {shape}'s extensions entry is not an object"));
    };
    let ids: Vec<&String> = map.keys().collect();
    let chosen = match id {
        Some(id) => map
            .get(id)
            .map(|v| (id.to_string(), v))
            .ok_or_else(|| format!("has no entry for extension {id} (it has: {})", join(&ids)))?,
        None if map.len() == 1 => {
            let (k, v) = map.iter().next().ok_or("has no extension entries")?;
            (k.clone(), v)
        }
        None if map.is_empty() => return Err(format!("the {shape} names no extension")),
        None => {
            return Err(format!(
                "names several extensions ({}); say which with --extension-id",
                join(&ids)
            ))
        }
    };
    Ok((chosen.1.clone(), format!("{shape}, extension {}", chosen.0)))
}

fn join(ids: &[&String]) -> String {
    ids.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What reaches `chrome.storage.managed`, as Chromium's policy loaders
/// compute it (`SchemaMap::FilterBundle`, `Schema::Normalize` with
/// `SCHEMA_ALLOW_UNKNOWN`): a top-level key the schema does not declare is
/// dropped; a declared key whose value does not match is dropped whole
/// (silently, in the browser); unknown properties inside a kept object are
/// removed. Returns the kept object and a line per dropped key.
pub fn chromium_filter(schema: &Value, policy: &Value) -> (Value, Vec<String>) {
    let Some(map) = policy.as_object() else {
        return (
            Value::Null,
            vec!["the whole policy: it is not an object".into()],
        );
    };
    let props = schema.get("properties").and_then(Value::as_object);
    let mut kept = serde_json::Map::new();
    let mut dropped = Vec::new();
    for (k, v) in map {
        match props.and_then(|p| p.get(k)) {
            None => dropped.push(format!("`{k}` (not a key in managed_schema.json)")),
            Some(s) => match normalize(s, v, k) {
                Ok(v) => {
                    kept.insert(k.clone(), v);
                }
                Err(why) => dropped.push(format!("`{k}` ({why})")),
            },
        }
    }
    (Value::Object(kept), dropped)
}

/// `v` checked against schema `s` (the dialect `managed_schema.json` uses:
/// type, properties, items, enum, minimum, maximum), with unknown object
/// properties removed; or why it does not match.
fn normalize(s: &Value, v: &Value, path: &str) -> Result<Value, String> {
    let want = s.get("type").and_then(Value::as_str).unwrap_or("any");
    let ok = match want {
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    };
    if !ok {
        return Err(format!("{path} must be {want}, not {}", type_name(v)));
    }
    if let Some(allowed) = s.get("enum").and_then(Value::as_array) {
        if !allowed.contains(v) {
            return Err(format!(
                "{path} must be one of {}",
                Value::Array(allowed.clone())
            ));
        }
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
            if n < min {
                return Err(format!("{path} must be at least {min}"));
            }
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
            if n > max {
                return Err(format!("{path} must be at most {max}"));
            }
        }
    }
    if let (Some(items), Some(list)) = (s.get("items"), v.as_array()) {
        let mut out = Vec::new();
        for (i, item) in list.iter().enumerate() {
            out.push(normalize(items, item, &format!("{path}[{i}]"))?);
        }
        return Ok(Value::Array(out));
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        let mut out = serde_json::Map::new();
        for (k, x) in obj {
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                out.insert(k.clone(), normalize(ps, x, &format!("{path}.{k}"))?);
            }
        }
        return Ok(Value::Object(out));
    }
    Ok(v.clone())
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        serde_json::from_str(MANAGED_SCHEMA).unwrap()
    }

    #[test]
    fn chromium_drops_whole_keys_of_the_wrong_shape() {
        let (kept, dropped) = chromium_filter(
            &schema(),
            &json!({
                "update_interval_minutes": "30",
                "trusted_keys": "not-a-list",
                "environment": "prod",
                "features": { "search": "yes" },
                "allowed_origins": ["https://crm.acme.example"],
                "something_new": 1
            }),
        );
        assert_eq!(
            kept,
            json!({ "allowed_origins": ["https://crm.acme.example"] })
        );
        assert_eq!(dropped.len(), 5, "{dropped:?}");
        assert!(dropped
            .iter()
            .any(|d| d.contains("`something_new` (not a key")));
        assert!(dropped
            .iter()
            .any(|d| d.contains("features.search must be boolean")));
        let (_, dropped) = chromium_filter(&schema(), &json!({ "update_interval_minutes": 2 }));
        assert!(dropped[0].contains("at least 5"), "{dropped:?}");
        // Unknown nested properties are removed, the rest kept.
        let (kept, dropped) = chromium_filter(
            &schema(),
            &json!({ "features": { "search": false, "dark_mode": true } }),
        );
        assert!(dropped.is_empty());
        assert_eq!(kept, json!({ "features": { "search": false } }));
    }

    #[test]
    fn the_entry_is_found_in_each_shape() {
        let obj = json!({ "environment": "staging" });
        let chromium = json!({ "3rdparty": { "extensions": { "abc": obj } } });
        let firefox = json!({ "policies": { "3rdparty": { "Extensions": { "waymark@x": obj } } } });
        for f in [&obj, &chromium, &firefox] {
            assert_eq!(extension_entry(f, None).unwrap().0, obj);
        }
        let two = json!({ "3rdparty": { "extensions": { "a": {}, "b": obj } } });
        assert!(extension_entry(&two, None)
            .unwrap_err()
            .contains("--extension-id"));
        assert_eq!(extension_entry(&two, Some("b")).unwrap().0, obj);
        assert!(extension_entry(&two, Some("c"))
            .unwrap_err()
            .contains("a, b"));
    }
}
