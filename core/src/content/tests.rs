//! The content model: dates, patterns, lookups.

use super::*;

#[test]
fn parses_recorder_style_targets() {
    assert_eq!(
        Target::parse("aria/New deal[role=\"button\"]"),
        Ok(Target::Aria {
            name: "New deal".into(),
            role: Some("button".into())
        })
    );
    assert_eq!(
        Target::parse("aria/  Save   deal "),
        Ok(Target::Aria {
            name: "Save deal".into(),
            role: None
        })
    );
    assert_eq!(
        Target::parse("text/New\n deal"),
        Ok(Target::Text("New deal".into()))
    );
    assert_eq!(
        Target::parse("[data-testid=new-deal]"),
        Ok(Target::Css("[data-testid=new-deal]".into()))
    );
    assert_eq!(Target::parse("css/#x"), Ok(Target::Css("#x".into())));
    assert_eq!(
        Target::parse("pierce/button.save"),
        Ok(Target::Pierce("button.save".into()))
    );
    assert_eq!(
        Target::parse("iframe#pay >>> widget-box >>> button.pay"),
        Ok(Target::Path {
            hops: vec!["iframe#pay".into(), "widget-box".into()],
            css: "button.pay".into()
        })
    );
    assert!(Target::parse("#pay >>> ").is_err());
    assert_eq!(
        Target::parse("pierce/a >>> b"),
        Ok(Target::Pierce("a >>> b".into())),
        "prefixes come first"
    );
    assert!(Target::parse("pierce/ ").is_err());
    assert!(Target::parse("aria/").is_err());
    assert!(Target::parse("text/   ").is_err());
    assert!(Target::parse("  ").is_err());
    assert!(Target::parse("aria/Go[role=\"\"]").is_err());
}
