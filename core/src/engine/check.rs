//! Comprehension checks: scoring answers and recording the outcome.

use super::*;

impl Engine {
    /// Scores one answer of the check; after the last, records the result
    /// and shows it on the completion card.
    pub(super) fn answer(&self, s: &mut Session, mut choices: Vec<usize>, out: &mut Vec<Command>) {
        let Some(q) = s.quiz.as_mut() else { return };
        let Some(check) = self
            .library
            .walkthrough(&q.walkthrough)
            .and_then(|w| w.check.as_ref())
        else {
            s.quiz = None;
            return;
        };
        let Some(question) = check.questions.get(q.question) else {
            s.quiz = None;
            return;
        };
        choices.sort_unstable();
        choices.dedup();
        let mut right = question.correct.clone();
        right.sort_unstable();
        let correct = choices == right;
        out.push(Command::Record {
            record: Record::Answered {
                page: self.page_ref(&s.url, Some(&q.walkthrough)),
                id: q.walkthrough.clone(),
                version: q.version.clone(),
                question: q.question,
                correct,
            },
        });
        q.correct += usize::from(correct);
        q.question += 1;
        if q.question < check.questions.len() {
            return;
        }
        let total = check.questions.len();
        let score = q.correct as f32 / total as f32;
        let passed = score + 1e-6 >= check.pass_score;
        out.push(Command::Record {
            record: Record::CheckCompleted {
                page: self.page_ref(&s.url, Some(&q.walkthrough)),
                id: q.walkthrough.clone(),
                version: q.version.clone(),
                score,
                passed,
            },
        });
        s.done = Some(Done {
            title: q.title.clone(),
            result: Some(CheckOutcome {
                correct: q.correct,
                total,
                passed,
                pass_percent: (check.pass_score * 100.0).round() as u32,
            }),
        });
        s.quiz = None;
    }
}
