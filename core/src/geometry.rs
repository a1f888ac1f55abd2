//! Card placement math: where the overlay frame goes, given the target's
//! rectangle, the card's size and the viewport. All in CSS pixels, viewport
//! coordinates (what `getBoundingClientRect` reports).
//!
//! The rule: try the preferred side, then the opposite side, then the other
//! axis; take the first side where the card fits without covering the target;
//! then shift along the side so the card stays inside the viewport. If no side
//! fits, the side with most room wins and the card is clamped into view.

use serde::{Deserialize, Serialize};

use crate::content::Placement;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.width
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    /// Sanitises numbers from the page: NaN and infinities become 0, sizes are
    /// never negative.
    pub fn sane(self) -> Rect {
        let f = |v: f64| if v.is_finite() { v } else { 0.0 };
        Rect {
            x: f(self.x),
            y: f(self.y),
            width: f(self.width).max(0.0),
            height: f(self.height).max(0.0),
        }
    }
}

/// Gap between target and card, and between card and viewport edge.
pub const GAP: f64 = 12.0;
pub const MARGIN: f64 = 8.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Top,
    Bottom,
    Left,
    Right,
}

fn order(p: Placement) -> [Side; 4] {
    use Side::*;
    match p {
        Placement::Right | Placement::Auto => [Right, Left, Bottom, Top],
        Placement::Left => [Left, Right, Bottom, Top],
        Placement::Bottom => [Bottom, Top, Right, Left],
        Placement::Top => [Top, Bottom, Right, Left],
    }
}

fn room(side: Side, t: &Rect, vp: Size) -> f64 {
    match side {
        Side::Top => t.y - GAP - MARGIN,
        Side::Bottom => vp.height - t.bottom() - GAP - MARGIN,
        Side::Left => t.x - GAP - MARGIN,
        Side::Right => vp.width - t.right() - GAP - MARGIN,
    }
}

fn needed(side: Side, card: Size) -> f64 {
    match side {
        Side::Top | Side::Bottom => card.height,
        Side::Left | Side::Right => card.width,
    }
}

fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    if hi < lo {
        lo
    } else {
        v.clamp(lo, hi)
    }
}

/// A card never taller than the viewport (less the margins): the frame
/// scrolls its content instead, so every button stays reachable whatever
/// the author wrote (a very long title or body, found by the XSS corpus).
fn fit(card: Size, vp: Size) -> Size {
    Size {
        width: card.width,
        height: card.height.min((vp.height - 2.0 * MARGIN).max(80.0)),
    }
}

/// Where the card goes beside `target`, and on which side.
pub fn place_card(target: Rect, card: Size, vp: Size, pref: Placement) -> (Rect, Side) {
    let card = fit(card, vp);
    let t = target.sane();
    let sides = order(pref);
    let side = sides
        .iter()
        .copied()
        .find(|&s| room(s, &t, vp) >= needed(s, card))
        .unwrap_or_else(|| {
            // Nothing fits: most room relative to need wins.
            let mut best = sides[0];
            for s in sides {
                if room(s, &t, vp) - needed(s, card) > room(best, &t, vp) - needed(best, card) {
                    best = s;
                }
            }
            best
        });
    let max_x = vp.width - MARGIN - card.width;
    let max_y = vp.height - MARGIN - card.height;
    let (x, y) = match side {
        Side::Right => (t.right() + GAP, t.y + t.height / 2.0 - card.height / 2.0),
        Side::Left => (
            t.x - GAP - card.width,
            t.y + t.height / 2.0 - card.height / 2.0,
        ),
        Side::Bottom => (t.x + t.width / 2.0 - card.width / 2.0, t.bottom() + GAP),
        Side::Top => (
            t.x + t.width / 2.0 - card.width / 2.0,
            t.y - GAP - card.height,
        ),
    };
    let rect = Rect {
        x: clamp(x, MARGIN, max_x),
        y: clamp(y, MARGIN, max_y),
        width: card.width,
        height: card.height,
    };
    (rect, side)
}

/// A card with no target: centred in the viewport.
pub fn centre(card: Size, vp: Size) -> Rect {
    let card = fit(card, vp);
    Rect {
        x: ((vp.width - card.width) / 2.0).max(0.0),
        y: ((vp.height - card.height) / 2.0).max(0.0),
        width: card.width,
        height: card.height,
    }
}

/// A panel that opens from the launcher in the bottom-right corner.
pub fn above_launcher(card: Size, vp: Size, launcher: Rect) -> Rect {
    let card = fit(card, vp);
    let x = clamp(
        launcher.right() - card.width,
        MARGIN,
        vp.width - MARGIN - card.width,
    );
    let y = clamp(
        launcher.y - GAP - card.height,
        MARGIN,
        vp.height - MARGIN - card.height,
    );
    Rect {
        x,
        y,
        width: card.width,
        height: card.height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VP: Size = Size {
        width: 1280.0,
        height: 800.0,
    };
    const CARD: Size = Size {
        width: 320.0,
        height: 180.0,
    };

    #[test]
    fn prefers_right_then_flips() {
        let t = Rect {
            x: 100.0,
            y: 100.0,
            width: 80.0,
            height: 30.0,
        };
        let (r, s) = place_card(t, CARD, VP, Placement::Auto);
        assert_eq!(s, Side::Right);
        assert_eq!(r.x, 192.0);
        let t = Rect {
            x: 1150.0,
            y: 100.0,
            width: 100.0,
            height: 30.0,
        };
        let (r, s) = place_card(t, CARD, VP, Placement::Auto);
        assert_eq!(s, Side::Left);
        assert_eq!(r.right(), 1150.0 - GAP);
    }

    #[test]
    fn bottom_flips_to_top_near_the_bottom_edge() {
        let t = Rect {
            x: 600.0,
            y: 700.0,
            width: 80.0,
            height: 30.0,
        };
        let (_, s) = place_card(t, CARD, VP, Placement::Bottom);
        assert_eq!(s, Side::Top);
    }

    proptest! {
        /// Whenever the viewport can hold the card, the card is inside it, and
        /// if some side had room, the card does not cover the target.
        #[test]
        fn stays_in_view_and_off_the_target(
            x in -200.0f64..1500.0, y in -200.0f64..1000.0,
            w in 0.0f64..600.0, h in 0.0f64..400.0,
            cw in 100.0f64..400.0, ch in 60.0f64..300.0,
            pref in 0usize..5,
        ) {
            let prefs = [Placement::Auto, Placement::Top, Placement::Bottom, Placement::Left, Placement::Right];
            let t = Rect { x, y, width: w, height: h };
            let card = Size { width: cw, height: ch };
            let (r, side) = place_card(t, card, VP, prefs[pref]);
            prop_assert!(r.x >= MARGIN - 1e-9 && r.right() <= VP.width - MARGIN + 1e-9);
            prop_assert!(r.y >= MARGIN - 1e-9 && r.bottom() <= VP.height - MARGIN + 1e-9);
            let fits = room(side, &t, VP) >= needed(side, card);
            let on_screen = t.x >= 0.0 && t.y >= 0.0 && t.right() <= VP.width && t.bottom() <= VP.height;
            if fits && on_screen {
                prop_assert!(!r.intersects(&t), "card {:?} covers target {:?}", r, t);
            }
        }

        /// However tall the content, the frame fits the viewport (its
        /// content scrolls inside it).
        #[test]
        fn a_tall_card_never_runs_off_the_viewport(
            x in 0.0f64..1200.0, y in 0.0f64..700.0, ch in 60.0f64..50_000.0, pref in 0usize..5,
        ) {
            let prefs = [Placement::Auto, Placement::Top, Placement::Bottom, Placement::Left, Placement::Right];
            let card = Size { width: 320.0, height: ch };
            let t = Rect { x, y, width: 40.0, height: 20.0 };
            let launcher = Rect { x: 1220.0, y: 740.0, width: 44.0, height: 44.0 };
            for r in [place_card(t, card, VP, prefs[pref]).0, centre(card, VP), above_launcher(card, VP, launcher)] {
                prop_assert!(r.y >= 0.0 && r.bottom() <= VP.height + 1e-9, "{:?}", r);
            }
        }

        #[test]
        fn hostile_numbers_do_not_escape(x in proptest::num::f64::ANY, w in proptest::num::f64::ANY) {
            let t = Rect { x, y: x, width: w, height: w };
            let (r, _) = place_card(t, CARD, VP, Placement::Auto);
            prop_assert!(r.x.is_finite() && r.y.is_finite());
        }
    }
}
