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

#[test]
fn audiences_admit_by_role_region_and_locale() {
    let aud = |roles: &[&str], regions: &[&str], locales: &[&str]| Audience {
        roles: roles.iter().map(|s| s.to_string()).collect(),
        regions: regions.iter().map(|s| s.to_string()).collect(),
        locales: locales.iter().map(|s| s.to_string()).collect(),
        regulated: false,
    };
    let manager = Viewer {
        roles: vec!["Store-Manager".into(), "cashier".into()],
        region: Some("emea".into()),
        locale: Some("fr-CA".into()),
    };
    assert!(
        aud(&[], &[], &[]).admits(None),
        "for everyone, even nobody known"
    );
    assert!(
        !aud(&["cashier"], &[], &[]).admits(None),
        "nobody known: no audience content"
    );
    assert!(aud(&["store-manager"], &[], &[]).admits(Some(&manager)));
    assert!(!aud(&["sales-rep"], &[], &[]).admits(Some(&manager)));
    assert!(aud(&["sales-rep", "cashier"], &["EMEA"], &[]).admits(Some(&manager)));
    assert!(
        !aud(&["cashier"], &["amer"], &[]).admits(Some(&manager)),
        "every dimension named must match"
    );
    assert!(
        aud(&[], &[], &["fr"]).admits(Some(&manager)),
        "fr covers fr-CA"
    );
    assert!(!aud(&[], &[], &["fr-FR"]).admits(Some(&manager)));
    assert!(
        !aud(&[], &[], &["f"]).admits(Some(&manager)),
        "a prefix is a whole subtag"
    );
    let unknown_region = Viewer {
        region: None,
        ..manager.clone()
    };
    assert!(!aud(&[], &["emea"], &[]).admits(Some(&unknown_region)));
}

mod audience_props {
    use super::*;
    use proptest::prelude::*;

    fn words() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[a-cA-C]{1,2}(-[a-c]{1,2})?", 0..3)
    }

    proptest! {
        /// Total and consistent: never panics; content for everyone is for
        /// everybody; nobody known sees only that; adding a value to a
        /// dimension never hides content from someone it admitted; and a
        /// viewer with every value named is admitted.
        #[test]
        fn audience_filtering_is_total(roles in words(), regions in words(), locales in words(),
                                       vroles in words(), vregion in proptest::option::of("[a-cA-C]{1,2}"),
                                       vlocale in proptest::option::of("[a-c]{1,2}(-[A-C]{1,2})?"), extra in "[a-c]{1,3}") {
            let a = Audience { roles, regions, locales, regulated: false };
            let v = Viewer { roles: vroles, region: vregion, locale: vlocale };
            prop_assert_eq!(a.admits(None), a.is_everyone());
            if a.is_everyone() {
                prop_assert!(a.admits(Some(&v)));
            }
            if a.admits(Some(&v)) {
                let mut wider = a.clone();
                if !wider.roles.is_empty() { wider.roles.push(extra.clone()); }
                if !wider.regions.is_empty() { wider.regions.push(extra.clone()); }
                if !wider.locales.is_empty() { wider.locales.push(extra); }
                prop_assert!(wider.admits(Some(&v)));
            }
            let everyone_in = Viewer {
                roles: a.roles.clone(),
                region: a.regions.first().cloned(),
                locale: a.locales.first().cloned(),
            };
            prop_assert!(a.admits(Some(&everyone_in)));
        }
    }
}
