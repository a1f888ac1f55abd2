//! The `*` glob the agent matches typed values with
//! (extension/src/agent/target.js `globMatch`) must agree with core's
//! (`urlmatch::glob_matches`, the reference): both run the cases in
//! fixtures/glob/cases.json (the agent's in tests/e2e/agent.test.mjs).

use waymark_core::content::Advance;
use waymark_core::urlmatch::glob_matches;

#[test]
fn glob_cases_agree_with_the_fixture() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/glob/cases.json"
    ))
    .unwrap_or_default();
    let cases: Vec<(String, String, bool)> = serde_json::from_str(&text).unwrap_or_default();
    assert!(
        cases.len() > 20,
        "fixtures/glob/cases.json is missing or empty"
    );
    for (pattern, value, want) in cases {
        assert_eq!(
            glob_matches(&pattern, &value),
            want,
            "glob {pattern:?} on {value:?}"
        );
        // The step rule uses the same matcher (on the trimmed value).
        let rule = Advance::Input(Some(pattern.clone()));
        assert_eq!(
            rule.accepts_value(false, &value),
            want,
            "input rule {pattern:?} on {value:?}"
        );
    }
}
