//! What every walkthrough and article carries: governance metadata (owner,
//! status, review date, audience, compliance sign-off), its moment of need,
//! and the environment a bundle is built for.

use super::*;

/// Who owns a piece of content, where it is in review, and who sees it:
/// the same for walkthroughs and articles (SPEC §3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub owner: String,
    pub status: Status,
    pub review_by: Option<Date>,
    pub audience: Audience,
    /// Who signed off a regulated piece, and when (free text).
    pub compliance_signoff: Option<String>,
    pub product_version: Option<String>,
    /// What changed in this version, shown once to users of the screen.
    pub change_note: Option<String>,
    /// Content to offer next (walkthrough or article ids, in order): the
    /// completion card's "What next" before any search match.
    pub related: Vec<String>,
}

impl Meta {
    /// Two review cycles overdue on `today`: employees see "under review".
    pub fn under_review(&self, today: Date, cycle_days: u32) -> bool {
        self.review_by
            .is_some_and(|r| today.0 > r.0.saturating_add(cycle_days.max(1) as i32))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub roles: Vec<String>,
    pub regions: Vec<String>,
    pub locales: Vec<String>,
    /// Regulated content needs a compliance sign-off to build.
    pub regulated: bool,
}

/// The user as far as audiences go: policy `user`, else what the host
/// page shows (`user.from_page`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Viewer {
    pub roles: Vec<String>,
    pub region: Option<String>,
    /// BCP 47 (`fr-CA`).
    pub locale: Option<String>,
}

impl Audience {
    /// Content for everyone: no roles, regions or locales named.
    pub fn is_everyone(&self) -> bool {
        self.roles.is_empty() && self.regions.is_empty() && self.locales.is_empty()
    }

    /// Whether content for this audience is for `viewer`. Each dimension
    /// the audience names must match (any of its values; case does not
    /// matter; a locale `fr` covers `fr-CA`). With nobody known (`None`),
    /// only content for everyone is.
    pub fn admits(&self, viewer: Option<&Viewer>) -> bool {
        if self.is_everyone() {
            return true;
        }
        let Some(v) = viewer else { return false };
        let eq = |a: &String, b: &str| a.eq_ignore_ascii_case(b);
        let covers = |a: &String, l: &str| {
            eq(a, l)
                || (l.len() > a.len()
                    && l.is_char_boundary(a.len())
                    && l[..a.len()].eq_ignore_ascii_case(a)
                    && l[a.len()..].starts_with(['-', '_']))
        };
        (self.roles.is_empty() || v.roles.iter().any(|r| self.roles.iter().any(|a| eq(a, r))))
            && (self.regions.is_empty()
                || v.region
                    .as_deref()
                    .is_some_and(|r| self.regions.iter().any(|a| eq(a, r))))
            && (self.locales.is_empty()
                || v.locale
                    .as_deref()
                    .is_some_and(|l| self.locales.iter().any(|a| covers(a, l))))
    }
}

/// Publishing state. Only `approved` ships to production; `retired` never ships.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    #[default]
    Draft,
    InReview,
    Approved,
    Retired,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Approved => "approved",
            Status::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Does content in this state ship to `env`?
    pub fn ships_to(self, env: Env) -> bool {
        match self {
            Status::Retired => false,
            Status::Approved => true,
            Status::Draft | Status::InReview => env == Env::Staging,
        }
    }
}

/// Where a bundle is going.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Env {
    Staging,
    Production,
}

impl Env {
    pub fn as_str(self) -> &'static str {
        match self {
            Env::Staging => "staging",
            Env::Production => "production",
        }
    }

    pub fn parse(s: &str) -> Option<Env> {
        match s {
            "staging" => Some(Env::Staging),
            "production" => Some(Env::Production),
            _ => None,
        }
    }
}

/// One of the Five Moments of Need (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Moment {
    New,
    More,
    Apply,
    Change,
    Solve,
}

impl Moment {
    pub const ALL: [Moment; 5] = [
        Moment::New,
        Moment::More,
        Moment::Apply,
        Moment::Change,
        Moment::Solve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Moment::New => "new",
            Moment::More => "more",
            Moment::Apply => "apply",
            Moment::Change => "change",
            Moment::Solve => "solve",
        }
    }

    pub fn parse(s: &str) -> Option<Moment> {
        Moment::ALL.into_iter().find(|m| m.as_str() == s)
    }
}
