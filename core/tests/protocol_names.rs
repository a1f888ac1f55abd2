//! One source of truth for message names: the `type` tags of
//! `engine::Event` and `engine::Command` (serde) and the names the agent
//! (extension/src/agent/*.js) and the service worker (extension/src/sw.js)
//! use. A rename on one side without the other fails here, not in a browser.

use std::collections::BTreeSet;
use std::path::Path;

use waymark_core::engine::{Command, Event};

/// The variant tags of a `#[serde(tag = "type")]` enum, read from serde's
/// own "unknown variant ..., expected one of ..." message.
fn tags<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
    let err = serde_json::from_str::<T>(r#"{"type":"\u0001"}"#).unwrap_err();
    let msg = err.to_string();
    let list = msg
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("unexpected serde message: {msg}"));
    list.split(',')
        .filter_map(|t| t.trim().split('`').nth(1))
        .map(str::to_string)
        .collect()
}

/// The agent's modules, the recorder's and the tips script's (all send
/// engine events).
fn agent_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension/src/agent");
    let recorder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension/src/recorder");
    let tips = Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension/src/tips");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(&recorder).unwrap())
        .chain(std::fs::read_dir(&tips).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 5,
        "the agent's modules are in {}",
        dir.display()
    );
    out
}

/// `type: 'name'` literals in JavaScript source.
fn sent(js: &str) -> BTreeSet<String> {
    js.split("type: '")
        .skip(1)
        .filter_map(|rest| rest.split('\'').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_event_the_agent_sends_is_an_engine_event() {
    let events = tags::<Event>();
    assert!(events.contains("attached") && events.contains("target_clicked"));
    // What the worker takes from the agent itself, past the engine: the
    // page holds the top layer over the card (agent/stacking.js), relayed
    // to the overlay frame as presentation only.
    let sw = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension/src/sw.js"),
    )
    .unwrap();
    let worker_only = ["covered"];
    for name in worker_only {
        assert!(
            sw.contains(&format!("msg.type === '{name}'")),
            "sw.js no longer handles the agent's `{name}` itself"
        );
    }
    let mut all = BTreeSet::new();
    for (file, js) in agent_sources() {
        for name in sent(&js) {
            if worker_only.contains(&name.as_str()) {
                all.insert(name);
                continue;
            }
            assert!(
                events.contains(&name),
                "agent/{file} sends `{name}`, which is not an engine::Event tag (known: {events:?})"
            );
            all.insert(name);
        }
    }
    for must in [
        "attached",
        "target",
        "target_clicked",
        "present",
        "user",
        "candidates",
        "hovered",
        "picked",
        "counted",
        "covered",
    ] {
        assert!(all.contains(must), "the agent no longer sends `{must}`");
    }
}

#[test]
fn every_command_for_the_agent_has_a_handler_and_no_handler_is_stray() {
    let commands = tags::<Command>();
    let js = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension/src/agent/commands.js"),
    )
    .unwrap();
    let body = js
        .split("export const commands = {")
        .nth(1)
        .expect("commands.js exports `commands`");
    // Handlers are the object's methods: two-space indented `name(`.
    let handlers: BTreeSet<String> = body
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_once('(').map(|(name, _)| name.trim().to_string()))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    // What the service worker handles itself instead of passing to the agent.
    let sw = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../extension/src/sw.js"),
    )
    .unwrap();
    let in_worker: BTreeSet<String> = sw
        .split("case '")
        .skip(1)
        .filter_map(|r| r.split('\'').next())
        .map(str::to_string)
        .collect();
    for c in &commands {
        if in_worker.contains(c) {
            continue;
        }
        assert!(
            handlers.contains(c),
            "engine::Command `{c}` goes to the agent, but agent/commands.js has no handler for it"
        );
    }
    for h in &handlers {
        // `reset` comes from the worker itself (policy or bundle changed).
        let from_worker = h == "reset" && sent(&sw).contains("reset");
        assert!(
            commands.contains(h) || from_worker,
            "agent/commands.js handles `{h}`, which neither the engine nor the worker sends"
        );
    }
    for c in &in_worker {
        assert!(
            commands.contains(c),
            "sw.js handles Command `{c}`, which is not an engine::Command tag"
        );
    }
}
