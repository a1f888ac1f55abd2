//! Authoring: every rule, with the message an author sees.

use super::*;

const GOOD: &str = r#"
id = "create-deal"
title = "Create a deal"
moment = "apply"
owner = "crm-team"
review_by = 2027-01-31
applies_to = ["/crm/deals*"]

[[steps]]
id = "open"
title = "Open the form"
body = "Click **New deal**."
target = ["[data-testid=new-deal]", "aria/New deal[role=\"button\"]", "text/New deal"]

[[steps]]
id = "done"
title = "That's it"
"#;

fn one(text: &str) -> Result<Library, Vec<Diagnostic>> {
    compile(&[("a.toml".into(), text.into())])
}

#[test]
fn compiles_a_walkthrough() {
    let lib = one(GOOD).unwrap();
    let w = &lib.walkthroughs[0];
    assert_eq!(w.steps.len(), 2);
    assert_eq!(w.steps[0].advance, Advance::Click);
    assert_eq!(w.steps[1].advance, Advance::Next);
    assert_eq!(w.steps[0].target.len(), 3);
    assert_eq!(w.version, version_of(&GOOD.replace('\n', "\r\n")));
}

fn first_error(text: &str) -> Diagnostic {
    one(text).unwrap_err().remove(0)
}

#[test]
fn unknown_field_points_at_it() {
    let d = first_error(&GOOD.replace("title = \"Open the form\"", "titel = \"Open the form\""));
    assert!(d.message.contains("unknown field `titel`"), "{d}");
    assert_eq!((d.line, d.col), (11, 1), "{d}");
}

#[test]
fn missing_field_is_named() {
    let d = first_error(&GOOD.replace("moment = \"apply\"\n", ""));
    assert!(d.message.contains("missing field `moment`"), "{d}");
}

#[test]
fn bad_selector_points_at_the_string() {
    let d = first_error(&GOOD.replace("[data-testid=new-deal]", "[data-testid=new-deal]]"));
    assert!(d.message.contains("does not parse"), "{d}");
    assert_eq!((d.line, d.col), (13, 11), "{d}");
    assert!(d.to_string().contains("help: use CSS"));
}

#[test]
fn reports_every_problem_at_once() {
    let bad = GOOD
        .replace("apply\"", "sometimes\"")
        .replace("id = \"done\"", "id = \"Done!\"");
    let diags = one(&bad).unwrap_err();
    assert_eq!(diags.len(), 2, "{diags:?}");
}

#[test]
fn raw_html_in_body_is_an_error_at_its_place() {
    let d = first_error(&GOOD.replace("Click **New deal**.", "Click <b>New deal</b>."));
    assert!(d.message.contains("raw HTML"), "{d}");
    assert_eq!((d.line, d.col), (12, 15), "{d}");
}

#[test]
fn duplicate_ids_across_files() {
    let diags = compile(&[
        ("a.toml".into(), GOOD.into()),
        ("b.toml".into(), GOOD.into()),
    ])
    .unwrap_err();
    assert!(diags[0]
        .message
        .contains("duplicate id `create-deal` (also in a.toml)"));
    assert_eq!(diags[0].file, "b.toml");
}

const ARTICLE: &str = "+++\nid = \"vpn-timeout\"\ntitle = \"Fix a VPN timeout error\"\nmoment = \"solve\"\ntags = [\"it\"]\nowner = \"it\"\nreview_by = \"2027-01-01\"\n+++\n\nRenew your **token**, then reconnect.\n";

#[test]
fn compiles_articles_and_synonyms() {
    let lib = compile(&[
        ("a.toml".into(), GOOD.into()),
        ("kb/vpn.md".into(), ARTICLE.into()),
        (
            "synonyms.toml".into(),
            "groups = [[\"vpn\", \"tunnel\"]]\n".into(),
        ),
    ])
    .unwrap();
    assert_eq!(lib.articles[0].id, "vpn-timeout");
    assert_eq!(
        lib.articles[0].body.plain_text(),
        "Renew your token, then reconnect."
    );
    assert_eq!(
        lib.synonyms,
        vec![vec!["vpn".to_string(), "tunnel".to_string()]]
    );
}

#[test]
fn article_errors_point_into_the_file() {
    let bad = ARTICLE.replace("moment = \"solve\"", "moment = \"later\"");
    let d = compile(&[("vpn.md".into(), bad)]).unwrap_err().remove(0);
    assert_eq!((d.line, d.col), (4, 10), "{d}");
    let bad = ARTICLE.replace("Renew", "<script>x</script> Renew");
    let d = compile(&[("vpn.md".into(), bad)]).unwrap_err().remove(0);
    assert!(d.message.contains("raw HTML"), "{d}");
    assert_eq!(d.line, 10, "{d}");
    let d = compile(&[("vpn.md".into(), "no front matter".into())])
        .unwrap_err()
        .remove(0);
    assert!(d.message.contains("front matter"), "{d}");
}

#[test]
fn click_without_target_and_bad_rules() {
    let bad = GOOD.replace(
        "title = \"That's it\"",
        "title = \"That's it\"\nadvance = \"click\"\nplacement = \"middle\"",
    );
    let diags = one(&bad).unwrap_err();
    assert_eq!(diags.len(), 2, "{diags:?}");
}

fn messages(r: Result<Library, Vec<Diagnostic>>) -> Vec<String> {
    r.unwrap_err().into_iter().map(|d| d.message).collect()
}

#[test]
fn governance_fields_are_required_and_checked() {
    let m = messages(one(&GOOD.replace("owner = \"crm-team\"\n", "")));
    assert_eq!(m, vec!["missing field `owner`"]);
    let m = messages(one(&GOOD.replace("review_by = 2027-01-31\n", "")));
    assert_eq!(m, vec!["`review_by` is required for apply content"]);
    // More content needs no review date.
    assert!(one(&GOOD
        .replace("review_by = 2027-01-31\n", "")
        .replace("\"apply\"", "\"more\""))
    .is_ok());
    let m = messages(one(&GOOD.replace("2027-01-31", "\"2027-02-30\"")));
    assert!(m[0].contains("`review_by` is not a date"), "{m:?}");
    let m = messages(one(&GOOD.replace("2027-01-31", "\"next spring\"")));
    assert!(m[0].contains("not a date"), "{m:?}");
    let m = messages(one(
        &GOOD.replace("owner =", "status = \"published\"\nowner =")
    ));
    assert!(m[0].contains("unknown status `published`"), "{m:?}");
    let regulated = GOOD.replace(
        "owner =",
        "audience = { roles = [\"cashier\"], regulated = true }\nowner =",
    );
    let m = messages(one(&regulated));
    assert!(m[0].contains("compliance_signoff"), "{m:?}");
    let signed = regulated.replace(
        "owner =",
        "compliance_signoff = \"J. Ortiz, 2026-11-02\"\nowner =",
    );
    let lib = one(&signed).unwrap();
    let meta = &lib.walkthroughs[0].meta;
    assert_eq!(meta.status, Status::Draft);
    assert_eq!(
        meta.review_by.map(|d| d.to_string()),
        Some("2027-01-31".into())
    );
    assert!(meta.audience.regulated);
}

const BRANCHY: &str = r#"
id = "refund"
title = "Refund an order"
moment = "more"
owner = "pos"

[[steps]]
id = "ask"
title = "How did they pay?"
[[steps.choices]]
label = "Card"
goto = "card"
[[steps.choices]]
label = "Cash"
goto = "cash"

[[steps]]
id = "card"
title = "Refund to the card"
branch = "end"

[[steps]]
id = "cash"
title = "Refund in cash"
"#;

#[test]
fn branches_compile_and_bad_ones_are_refused() {
    let lib = one(BRANCHY).unwrap();
    let w = &lib.walkthroughs[0];
    assert_eq!(w.successors(0), vec![1, 2]);
    assert_eq!(w.successors(1), Vec::<usize>::new());
    assert_eq!(w.steps[1].branch, Branch::End);
    let m = messages(one(&BRANCHY.replace("goto = \"cash\"", "goto = \"kash\"")));
    assert!(m[0].contains("there is no step `kash`"), "{m:?}");
    let looped = BRANCHY.replace("branch = \"end\"", "branch = \"ask\"");
    let d = one(&looped).unwrap_err().remove(0);
    assert_eq!(d.message, "branches loop: ask → card → ask");
    assert_eq!(d.line, 20, "{d}");
    let m = messages(one(
        &BRANCHY.replace("branch = \"end\"", "branch = \"card\"")
    ));
    assert!(m[0].contains("branches to itself"), "{m:?}");
    let m = messages(one(&BRANCHY
        .replace("id = \"cash\"", "id = \"end\"")
        .replace("goto = \"cash\"", "goto = \"end\"")));
    assert!(m[0].contains("reserved"), "{m:?}");
}

#[test]
fn checks_compile_and_wrong_answers_are_refused() {
    let with = format!(
        "{BRANCHY}\n[check]\npass_score = 0.5\n[[check.questions]]\nprompt = \"Cash refunds need?\"\nchoices = [\"A manager\", \"Nothing\"]\ncorrect = [\"A manager\"]\n"
    );
    let lib = one(&with).unwrap();
    let c = lib.walkthroughs[0].check.as_ref().unwrap();
    assert_eq!(c.questions[0].correct, vec![0]);
    assert_eq!(c.pass_score, 0.5);
    let m = messages(one(
        &with.replace("correct = [\"A manager\"]", "correct = [\"a boss\"]")
    ));
    assert!(m[0].contains("`a boss` is not one of the choices"), "{m:?}");
    let m = messages(one(&with.replace("0.5", "80.0")));
    assert!(m[0].contains("fraction"), "{m:?}");
}

#[test]
fn triggers() {
    let t = GOOD.replace("owner =", "trigger = { type = \"on_error\", target = [\"[role=alert]\"], text = \"declined\" }\nowner =");
    let lib = one(&t).unwrap();
    assert!(
        matches!(&lib.walkthroughs[0].trigger, Trigger::OnError { text: Some(x), .. } if x == "declined")
    );
    let m = messages(one(
        &GOOD.replace("owner =", "trigger = \"sometimes\"\nowner =")
    ));
    assert!(m[0].contains("unknown trigger `sometimes`"), "{m:?}");
}

const CONFIG: &str = "[locales]\nsource = \"en\"\ntranslations = [\"fr\", \"fr-CA\", \"de\"]\n[locales.fallback]\nfr-CA = \"fr\"\nde = \"en\"\n";

#[test]
fn translations_fall_back_or_must_be_complete() {
    let fr = "\n[translations.fr]\ntitle = \"Créer une affaire\"\n[translations.fr.steps.open]\ntitle = \"Ouvrir\"\nbody = \"Cliquez **Nouveau**.\"\n[translations.fr.steps.done]\ntitle = \"Fini\"\n";
    let ok = compile(&[
        ("waymark.toml".into(), CONFIG.into()),
        ("a.toml".into(), format!("{GOOD}{fr}")),
    ])
    .unwrap();
    let w = &ok.walkthroughs[0];
    assert_eq!(
        w.translations["fr"].steps["open"].title.as_deref(),
        Some("Ouvrir")
    );
    assert_eq!(ok.locales.chain("fr-CA"), vec!["fr-CA", "fr", "en"]);
    assert_eq!(ok.locales.chain("de-AT"), vec!["de", "en"]);
    assert_eq!(ok.locales.chain("ja"), vec!["en"]);
    // fr has no fallback: a missing string is an error at its table.
    let partial = fr.replace("[translations.fr.steps.done]\ntitle = \"Fini\"\n", "");
    let d = compile(&[
        ("waymark.toml".into(), CONFIG.into()),
        ("a.toml".into(), format!("{GOOD}{partial}")),
    ])
    .unwrap_err()
    .remove(0);
    assert!(
        d.message
            .contains("translation `fr` is missing step `done` title"),
        "{d}"
    );
    // fr-CA inherits from fr, which lacks it too.
    let d = compile(&[
        ("waymark.toml".into(), CONFIG.into()),
        (
            "a.toml".into(),
            format!("{GOOD}{partial}\n[translations.fr-CA]\ntitle = \"Créer\"\n"),
        ),
    ])
    .unwrap_err();
    assert!(
        d.iter().any(|d| d.message.contains(
            "translation `fr-CA` is missing step `done` title (nor does its fallback chain fr)"
        )),
        "{d:?}"
    );
    // A translation into a locale the settings do not list.
    let m = messages(compile(&[("a.toml".into(), format!("{GOOD}{fr}"))]));
    assert!(m[0].contains("does not list"), "{m:?}");
    // Fallback loops are refused in the settings.
    let m = messages(compile(&[(
        "waymark.toml".into(),
        "[locales]\ntranslations = [\"fr\", \"fr-CA\"]\n[locales.fallback]\nfr = \"fr-CA\"\nfr-CA = \"fr\"\n".into(),
    )]));
    assert!(m[0].contains("loop"), "{m:?}");
}

#[test]
fn settings_are_checked() {
    let m = messages(compile(&[(
        "waymark.toml".into(),
        "review_cycle_days = 0\n[media]\nallow = [\"https://x.example/\"]\n[bundle]\nscope = [\"crm.acme.example\"]\n".into(),
    )]));
    assert_eq!(m.len(), 3, "{m:?}");
    let p = compile_project(&[(
        "waymark.toml".into(),
        "[media]\nallow = [\"media.acme.example\"]\n[bundle]\nscope = [\"https://*.acme.example\"]\nexpires_after_days = 30\n".into(),
    )])
    .unwrap();
    assert_eq!(p.config.scope, vec!["https://*.acme.example"]);
    assert_eq!(p.config.expires_after_days, 30);
    let img = GOOD.replace(
        "Click **New deal**.",
        "![The form](https://media.acme.example/f.png)",
    );
    let m = messages(compile(&[("a.toml".into(), img.clone())]));
    assert!(m[0].contains("not from an allowed host"), "{m:?}");
    assert!(compile(&[
        (
            "waymark.toml".into(),
            "[media]\nallow = [\"media.acme.example\"]\n".into()
        ),
        ("a.toml".into(), img),
    ])
    .is_ok());
}

#[test]
fn environments_choose_what_ships() {
    let draft = GOOD.to_string();
    let approved = GOOD
        .replace("create-deal", "approved-one")
        .replace("owner =", "status = \"approved\"\nowner =");
    let retired = GOOD
        .replace("create-deal", "old-one")
        .replace("owner =", "status = \"retired\"\nowner =");
    let lib = compile(&[
        ("a.toml".into(), draft),
        ("b.toml".into(), approved),
        ("c.toml".into(), retired),
    ])
    .unwrap();
    let ids = |l: &Library| {
        l.walkthroughs
            .iter()
            .map(|w| w.id.clone())
            .collect::<Vec<_>>()
    };
    let (staging, left) = lib.for_env(crate::content::Env::Staging);
    assert_eq!(ids(&staging), vec!["create-deal", "approved-one"]);
    assert_eq!(left, vec![("old-one".to_string(), Status::Retired)]);
    let (prod, left) = lib.for_env(crate::content::Env::Production);
    assert_eq!(ids(&prod), vec!["approved-one"]);
    assert_eq!(left.len(), 2);
}

#[test]
fn hostile_inputs_are_errors_not_panics() {
    let deep = GOOD.replace("Click **New deal**.", &"> ".repeat(300));
    assert!(messages(one(&deep))[0].contains("nested"));
    let nul = GOOD.replace("Create a deal", "Create\u{0}a deal");
    assert!(one(&nul).is_err());
    assert!(one("[[[").is_err());
    assert!(one("").is_err());
    let big = format!("{GOOD}\n# {}\n", "x".repeat(100_000));
    assert!(one(&big).is_ok());
}

#[test]
fn every_schema_generates() {
    let s = schemas();
    assert_eq!(s.len(), 6);
    let w = serde_json::to_string(&s[0].1).unwrap();
    assert!(w.contains("\"owner\"") && w.contains("review_by"), "{w}");
}

mod round_trip {
    use super::*;
    use crate::bundle;
    use proptest::prelude::*;

    /// Any text an author might type in a title: letters, punctuation,
    /// quotes, backslashes, emoji, right-to-left script.
    fn text() -> impl Strategy<Value = String> {
        "[A-Za-z0-9 ,.!?'\"\\\\()\\-é€日本🙂שלום]{1,40}"
            .prop_filter("not blank", |s| !s.trim().is_empty())
    }

    fn walkthrough_source(
        id: usize,
        title: String,
        steps: Vec<(String, String)>,
        fr: Option<String>,
    ) -> String {
        let mut doc = toml::Table::new();
        doc.insert("id".into(), format!("w{id}").into());
        doc.insert("title".into(), title.into());
        doc.insert("moment".into(), "more".into());
        doc.insert("owner".into(), "team".into());
        doc.insert("status".into(), "approved".into());
        let steps: Vec<toml::Value> = steps
            .into_iter()
            .enumerate()
            .map(|(i, (t, b))| {
                let mut st = toml::Table::new();
                st.insert("id".into(), format!("s{i}").into());
                st.insert("title".into(), t.into());
                st.insert("body".into(), b.into());
                st.into()
            })
            .collect();
        doc.insert("steps".into(), steps.into());
        if let Some(fr) = fr {
            let mut t = toml::Table::new();
            let mut fr_t = toml::Table::new();
            fr_t.insert("title".into(), fr.into());
            t.insert("fr".into(), fr_t.into());
            doc.insert("translations".into(), t.into());
        }
        toml::to_string(&doc).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Build, read back, same content: whatever the author wrote
        /// comes out of the bundle exactly as it was compiled.
        #[test]
        fn build_then_read_back_gives_the_same_content(
            items in proptest::collection::vec(
                (text(), proptest::collection::vec((text(), text()), 1..4), proptest::option::of(text())),
                1..5,
            )
        ) {
            let mut sources = vec![(
                "waymark.toml".to_string(),
                "[locales]\ntranslations = [\"fr\"]\n[locales.fallback]\nfr = \"en\"\n[bundle]\nscope = [\"https://a.example\"]\n".to_string(),
            )];
            for (i, (title, steps, fr)) in items.iter().enumerate() {
                sources.push((format!("w{i}.toml"), walkthrough_source(i, title.clone(), steps.clone(), fr.clone())));
            }
            let project = compile_project(&sources).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
            let lib = project.library;
            for (w, (title, steps, _)) in lib.walkthroughs.iter().zip(&items) {
                prop_assert_eq!(&w.title, title.trim());
                prop_assert_eq!(w.steps.len(), steps.len());
            }
            let m = bundle::Manifest::describe(&lib, 7, 0, 100, crate::content::Env::Production, project.config.scope.clone());
            let bytes = bundle::write_with(&lib, &m).unwrap();
            let back = bundle::read_unverified(&bytes).unwrap();
            prop_assert_eq!(&back.library, &lib);
            prop_assert_eq!(&back.manifest, &m);
            // And the search index built with it finds every title.
            let index = crate::search::SearchIndex::open(&back.search[..]).unwrap();
            prop_assert_eq!(index.len(), lib.walkthroughs.len());
        }
    }
}

fn files(fs: &[(&str, &str)]) -> Result<Library, Vec<Diagnostic>> {
    let sources: Vec<(String, String)> = fs
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    compile(&sources)
}

#[test]
fn checklists_tips_and_related_compile_and_name_what_exists() {
    let list = "id = \"week-one\"\ntitle = \"Week one\"\nowner = \"ops\"\naudience = { roles = [\"sales\"] }\nitems = [\"create-deal\"]\n";
    let tips = "id = \"deal-form\"\ntitle = \"Deal form\"\nowner = \"crm\"\nreview_by = 2027-01-31\napplies_to = [\"/crm/deals/new*\"]\n\n[[tips]]\nid = \"amount\"\ntarget = [\"#amount\"]\ntitle = \"Amount\"\nbody = \"Before tax, in **euros**.\"\n\n[[tips]]\nid = \"stage\"\ntarget = [\"#stage\"]\ntitle = \"Stage\"\nbeacon = true\n";
    let lib = files(&[
        ("a.toml", GOOD),
        ("week.checklist.toml", list),
        ("form.tips.toml", tips),
    ])
    .unwrap();
    assert_eq!(lib.checklists[0].items, ["create-deal"]);
    assert_eq!(lib.checklists[0].meta.audience.roles, ["sales"]);
    let t = &lib.tips[0];
    assert_eq!((t.tips.len(), t.tips[1].beacon), (2, true));
    assert_eq!(t.tips[0].body.plain_text(), "Before tax, in euros.");

    // An item that does not exist, said where it is.
    let bad = list.replace("[\"create-deal\"]", "[\"create-dael\"]");
    let e = files(&[("a.toml", GOOD), ("week.checklist.toml", &bad)]).unwrap_err();
    assert_eq!(e[0].file, "week.checklist.toml");
    assert!(
        e[0].message.contains("`create-dael` in `items`"),
        "{}",
        e[0].message
    );
    assert_eq!((e[0].line, e[0].col), (5, 10));
    // So for `related`, and content listing itself.
    let rel = GOOD.replace("applies_to", "related = [\"nope\"]\napplies_to");
    let m = messages(files(&[("a.toml", &rel)]));
    assert!(m[0].contains("`nope` in `related`"), "{m:?}");
    let me = GOOD.replace("applies_to", "related = [\"create-deal\"]\napplies_to");
    let m = messages(files(&[("a.toml", &me)]));
    assert!(m[0].contains("lists itself"), "{m:?}");
    // Empty lists, tips without a screen or a target.
    let m = messages(files(&[(
        "w.checklist.toml",
        &list.replace("[\"create-deal\"]", "[]"),
    )]));
    assert!(m[0].contains("1 to 20 items"), "{m:?}");
    let m = messages(files(&[(
        "f.tips.toml",
        &tips
            .replace("applies_to = [\"/crm/deals/new*\"]\n", "")
            .replace("target = [\"#stage\"]\n", ""),
    )]));
    assert!(m.iter().any(|m| m.contains("screen they are on")), "{m:?}");
    assert!(m.iter().any(|m| m.contains("needs `target")), "{m:?}");
    let m = messages(files(&[(
        "f.tips.toml",
        &tips.replace("review_by = 2027-01-31\n", ""),
    )]));
    assert_eq!(m, ["`review_by` is required for tips"]);
}

#[test]
fn articles_can_be_triggered_and_carry_boxes_to_tick() {
    let art = "+++\nid = \"limit\"\ntitle = \"Over the limit\"\nmoment = \"solve\"\nowner = \"crm\"\nreview_by = 2027-01-31\ntrigger = { type = \"on_error\", target = [\"[role=alert]\"], text = \"limit\" }\n+++\n\n- [ ] one\n- [x] two\n";
    let lib = files(&[("l.md", art)]).unwrap();
    let a = &lib.articles[0];
    assert!(matches!(&a.trigger, Trigger::OnError { text: Some(t), .. } if t == "limit"));
    assert_eq!(a.tasks(), 2);
    let bad = art.replace(
        "{ type = \"on_error\", target = [\"[role=alert]\"], text = \"limit\" }",
        "\"auto_first_visit\"",
    );
    let m = messages(files(&[("l.md", &bad)]));
    assert_eq!(m, ["an article cannot start by itself"]);
}
