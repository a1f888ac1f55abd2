//! Comprehension checks: scoring answers and recording the outcome.

use super::*;

impl Engine {
    /// Scores one answer of the check; after the last, records the result
    /// and shows it on the completion card.
    pub(super) fn answer(&self, s: &mut Session, mut choices: Vec<usize>) {
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
        let question_index = q.question;
        let about = (q.walkthrough.clone(), q.version.clone(), q.attempt);
        self.note_check(
            s,
            &about,
            What::Answered {
                question: question_index,
                correct,
            },
        );
        let Some(q) = s.quiz.as_mut() else { return };
        q.correct += usize::from(correct);
        q.question += 1;
        if q.question < check.questions.len() {
            return;
        }
        let total = check.questions.len();
        let score = q.correct as f32 / total as f32;
        let passed = score + 1e-6 >= check.pass_score;
        let (title, correct) = (q.title.clone(), q.correct);
        self.note_check(s, &about, What::CheckCompleted { score, passed });
        let related = self.related(s, &about.0);
        s.done = Some(Done {
            title,
            related,
            result: Some(CheckOutcome {
                correct,
                total,
                passed,
                pass_percent: (check.pass_score * 100.0).round() as u32,
            }),
        });
        s.quiz = None;
    }
}
