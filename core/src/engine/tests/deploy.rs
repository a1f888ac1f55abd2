//! Engine scenarios: what admin policy changes in the engine: origins, search, support, the user, the bundle a tour runs on, scope.

use super::*;

#[test]
fn policy_origins_narrow_where_the_engine_acts() {
    let mut e = engine();
    e.set_deployment(Deployment {
        origins: Some(vec!["https://crm.acme.example".into()]),
        ..Deployment::default()
    });
    let mut s = Session::default();
    let c = e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    assert!(
        c.is_empty(),
        "a page outside allowed_origins gets nothing: {c:?}"
    );
    assert!(e.acts_on("https://crm.acme.example/deals"));
    assert!(!e.acts_on("https://crm.acme.example:8443/deals"));
}

#[test]
fn policy_turns_search_off_and_names_support() {
    let mut e = engine();
    let support = Support {
        name: "IT desk".into(),
        url: "mailto:it@acme.example".into(),
    };
    e.set_deployment(Deployment {
        search: false,
        support: Some(support.clone()),
        ..Deployment::default()
    });
    let mut s = Session::default();
    attach(&e, &mut s, None);
    e.handle(&mut s, Event::OpenHelp);
    let c = e.handle(
        &mut s,
        Event::Search {
            query: "refund".into(),
        },
    );
    let Some(View::Panel(p)) = view_of(&c).or_else(|| {
        let c = e.handle(&mut s, Event::LauncherClicked);
        e.handle(&mut s, Event::LauncherClicked);
        view_of(&c)
    }) else {
        panic!("{c:?}")
    };
    assert!(!p.search);
    assert_eq!(p.heading, "For this page", "a query is not searched");
    assert_eq!(p.support, Some(support.clone()));
    e.handle(&mut s, Event::Dismiss);
    let Some(View::Card(card)) = view_of(&e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    )) else {
        panic!("no card")
    };
    assert_eq!(card.support, Some(support));
}

#[test]
fn the_user_is_read_from_the_page_when_policy_says_so() {
    let mut e = engine();
    let fields = FromPage {
        id: Some(crate::deploy::policy::PageField {
            selector: "#me".into(),
            attribute: Some("data-user-id".into()),
        }),
        ..FromPage::default()
    };
    e.set_deployment(Deployment {
        user_from_page: Some(fields.clone()),
        ..Deployment::default()
    });
    let mut s = Session::default();
    let c = e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    assert!(c.contains(&Command::ReadUser { fields }), "{c:?}");
    let user = PageUser {
        id: Some("  maria.lopez ".into()),
        roles: Some(String::new()),
        ..PageUser::default()
    };
    let c = e.handle(&mut s, Event::User { user: user.clone() });
    let clean = PageUser {
        id: Some("maria.lopez".into()),
        ..PageUser::default()
    };
    assert!(
        c.contains(&Command::Identified {
            user: clean.clone()
        }),
        "{c:?}"
    );
    assert_eq!(s.user, Some(clean));
    assert!(!e
        .handle(&mut s, Event::User { user })
        .iter()
        .any(|c| matches!(c, Command::Identified { .. })));
    assert!(!Event::User {
        user: PageUser::default()
    }
    .allowed_from(Sender::Frame));
}

#[test]
fn a_tour_remembers_its_bundle() {
    let e = engine();
    let mut s = Session::default();
    attach(&e, &mut s, None);
    assert!(!s.busy());
    e.handle(
        &mut s,
        Event::Start {
            id: "create-deal".into(),
        },
    );
    assert!(s.busy());
    assert_eq!(s.tour_bundle(), Some(0));
}

#[test]
fn pages_outside_the_signed_scope_get_nothing() {
    let lib = engine().library.clone();
    let manifest = crate::bundle::Manifest::describe(
        &lib,
        1,
        0,
        i64::MAX,
        crate::content::Env::Production,
        vec!["https://crm.acme.example".into()],
    );
    let e = Engine::from_bundle(Bundle {
        search: lib.search_index().unwrap(),
        library: lib,
        manifest,
        signer: None,
    });
    let mut s = Session::default();
    let c = e.handle(
        &mut s,
        Event::Attached {
            url: URL.into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    assert!(c.is_empty(), "{c:?}");
    assert!(e.handle(&mut s, Event::LauncherClicked).is_empty());
    let c = e.handle(
        &mut s,
        Event::Attached {
            url: "https://crm.acme.example/crm/deals".into(),
            viewport: VP,
            locale: String::new(),
        },
    );
    assert!(!c.is_empty());
}
