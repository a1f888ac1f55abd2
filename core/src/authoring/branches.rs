//! Branches and decisions: every `branch`/`goto` names a step, and no path
//! loops.

use super::*;

/// Branch and choice targets must exist, and no path may loop.
pub(super) fn check_branches(
    cx: &Cx,
    src: &Spanned<Vec<StepSrc>>,
    steps: &[Step],
    diags: &mut Vec<Diagnostic>,
) {
    let index: HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut bad = false;
    for (s, step_src) in steps.iter().zip(src.get_ref()) {
        let gotos: Vec<(&str, Range<usize>)> = match &step_src.branch {
            Some(b) if step_src.choices().is_empty() => {
                vec![(b.get_ref().as_str(), b.span())]
            }
            _ => step_src
                .choices()
                .iter()
                .map(|c| (c.goto.get_ref().as_str(), c.goto.span()))
                .collect(),
        };
        for (goto, span) in gotos {
            if goto == END {
                continue;
            }
            if goto == s.id {
                bad = true;
                cx.err(
                    diags,
                    span,
                    format!("step `{goto}` branches to itself"),
                    "branch to another step, or to \"end\"",
                );
            } else if !index.contains_key(goto) {
                bad = true;
                let ids: Vec<_> = steps.iter().map(|s| s.id.as_str()).collect();
                cx.err(
                    diags,
                    span,
                    format!("there is no step `{goto}` to go to"),
                    &format!("use one of: {}, or \"end\"", ids.join(", ")),
                );
            }
        }
    }
    if bad {
        return;
    }
    // Depth-first search for a back edge: 0 = unseen, 1 = on the path, 2 = done.
    let w = Walkthrough {
        id: String::new(),
        title: String::new(),
        moment: Moment::Apply,
        applies_to: Vec::new(),
        tags: Vec::new(),
        synonyms: Vec::new(),
        version: String::new(),
        steps: steps.to_vec(),
        meta: Meta::default(),
        trigger: Trigger::Manual,
        check: None,
        translations: BTreeMap::new(),
    };
    let mut state = vec![0u8; steps.len()];
    let mut path = Vec::new();
    pub(super) fn dfs(
        w: &Walkthrough,
        i: usize,
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<(usize, usize)> {
        state[i] = 1;
        path.push(i);
        for j in w.successors(i) {
            if state[j] == 1 {
                return Some((i, j));
            }
            if state[j] == 0 {
                if let Some(c) = dfs(w, j, state, path) {
                    return Some(c);
                }
            }
        }
        path.pop();
        state[i] = 2;
        None
    }
    for start in 0..steps.len() {
        if state[start] != 0 {
            continue;
        }
        if let Some((from, to)) = dfs(&w, start, &mut state, &mut path) {
            let at = path.iter().position(|&p| p == to).unwrap_or(0);
            let mut names: Vec<&str> = path[at..].iter().map(|&i| steps[i].id.as_str()).collect();
            names.push(&steps[to].id);
            let s = &src.get_ref()[from];
            let span = s
                .branch
                .as_ref()
                .map(|b| b.span())
                .or_else(|| {
                    s.choices()
                        .iter()
                        .find(|c| *c.goto.get_ref() == steps[to].id)
                        .map(|c| c.goto.span())
                })
                .unwrap_or_else(|| s.id.span());
            cx.err(
                diags,
                span,
                format!("branches loop: {}", names.join(" → ")),
                "a walkthrough must always move towards its end; branch forward or to \"end\"",
            );
            return;
        }
    }
}
