"""Navigation derived from the answers: visible steps, next, previous, progress, resume point.

Nothing here knows a particular step: it reads the declarations of `wizard.flow.steps`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.forms.base import StepForm
    from wizard.models import Dossier

Answers = Mapping[str, Mapping[str, Any]]


class StepKind(StrEnum):
    QUESTION = "question"
    SUMMARY = "summary"
    DECLARATION = "declaration"
    CONFIRMATION = "confirmation"


def always(answers: Answers) -> bool:
    return True


def nothing_missing(dossier: Dossier) -> list[tuple[str, str]]:
    return []


@dataclass(frozen=True)
class Step:
    """One page of the wizard.

    `condition` decides from the answers whether the step belongs to the current path.
    `missing` lists what blocks leaving the step (field id, message) beyond its form;
    `complete_when` adds a completeness rule that does not block leaving it (letters that
    clinicians will send later).
    """

    id: str
    number: str
    title: Any
    kind: StepKind = StepKind.QUESTION
    form: type[StepForm] | None = None
    template: str = ""
    condition: Callable[[Answers], bool] = always
    missing: Callable[[Dossier], list[tuple[str, str]]] = nothing_missing
    complete_when: Callable[[Dossier], bool] | None = field(default=None)

    @property
    def is_question(self) -> bool:
        return self.kind == StepKind.QUESTION

    @property
    def needs_files(self) -> bool:
        """Whether the step needs something besides its answers (a document, a letter)."""
        return self.missing is not nothing_missing or self.complete_when is not None


class Flow:
    """A list of steps and the rules that walk them."""

    def __init__(self, steps: list[Step]):
        ids = [step.id for step in steps]
        if len(ids) != len(set(ids)):
            raise ValueError("step ids must be unique")
        self.steps = steps
        self._by_id = {step.id: step for step in steps}

    def get(self, step_id: str) -> Step | None:
        return self._by_id.get(step_id)

    def visible(self, answers: Answers) -> list[Step]:
        return [step for step in self.steps if step.condition(answers)]

    def in_place_of(self, step: Step, answers: Answers) -> Step | None:
        """The step of the path the answers take that stands where `step`, of the other
        path, stood (the scope for the patient)."""
        return next((s for s in self.visible(answers) if s.number == step.number), None)

    def questions(self, answers: Answers) -> list[Step]:
        return [step for step in self.visible(answers) if step.is_question]

    def next(self, step: Step, answers: Answers) -> Step | None:
        path = self.visible(answers)
        index = path.index(step) if step in path else -1
        return path[index + 1] if 0 <= index < len(path) - 1 else None

    def previous(self, step: Step, answers: Answers) -> Step | None:
        path = self.visible(answers)
        index = path.index(step) if step in path else -1
        return path[index - 1] if index > 0 else None

    def progress(self, step: Step, answers: Answers) -> tuple[int, int]:
        """(position, total) among the pages a filer goes through, confirmation excluded."""
        path = [s for s in self.visible(answers) if s.kind != StepKind.CONFIRMATION]
        position = path.index(step) + 1 if step in path else len(path)
        return position, len(path)

    def outline(
        self,
        current: Step,
        answers: Answers,
        to_check: Collection[str] = (),
        unfinished: Collection[str] = (),
    ) -> list[tuple[Step, str]]:
        """The filer's path as a page lists it, to move about it: each question, the summary
        and the declaration (every page "Step n of N" counts) with its state: "current";
        "saved" (saved, or the summary once every
        question is); "to-check" (copied from a filed request, not looked at yet: `to_check`);
        "unfinished" (saved but not done: `unfinished`, from `Flow.unfinished`); "next"
        (the first question not saved yet, or the summary while any is not done); "ahead"
        (not yet; the declaration but on its own page: it is reached from the summary,
        which hands it the state of the request that was checked)."""
        questions = self.questions(answers)
        visible = self.visible(answers)
        summary = next(s for s in visible if s.kind == StepKind.SUMMARY)
        declaration = next(s for s in visible if s.kind == StepKind.DECLARATION)
        outline, reached = [], True
        for step in [*questions, summary]:
            answered = step.id in answers or (
                step is summary
                and all(q.id in answers and q.id not in unfinished for q in questions)
            )
            if step == current:
                state = "current"
            elif step.id in to_check:
                state = "to-check"
            elif step.id in unfinished:
                state = "unfinished"
            elif answered:
                state = "saved"
            elif reached:
                state = "next"
            else:
                state = "ahead"
            reached = reached and answered
            outline.append((step, state))
        outline.append((declaration, "current" if declaration == current else "ahead"))
        return outline

    def unfinished(self, dossier: Dossier, answers: Answers) -> set[str]:
        """The steps saved but not done, as the list of steps shows them: saved for later
        with answers missing or wrong, made so by a later answer to another step (each save
        checks the others again: `service.save_step`) or by time alone (a date now past,
        checked again here), or lacking a document or letter they need."""
        saved_unfinished = dossier.saved_unfinished()
        questions = [step for step in self.questions(answers) if step.id in answers]
        lacking = {
            step.id
            for step in questions
            if step.needs_files and not self.is_complete(step, dossier, answers)
        }
        aged = {
            step.id
            for step in questions
            if step.form.changes_with_time
            and step.id not in saved_unfinished
            and not step.form.from_answers(answers[step.id], context=answers).validate()
        }
        return saved_unfinished | lacking | aged

    def is_complete(self, step: Step, dossier: Dossier, answers: Answers) -> bool:
        if not step.is_question:
            return True
        if step.id not in answers:
            return False
        if step.missing(dossier):
            return False
        return step.complete_when is None or step.complete_when(dossier)

    def first_unfinished(self, dossier: Dossier, answers: Answers | None = None) -> Step:
        """Where a filer resumes: the first question not complete, else the summary."""
        answers = dossier.answers() if answers is None else answers
        for step in self.questions(answers):
            if not self.is_complete(step, dossier, answers):
                return step
        return next(s for s in self.visible(answers) if s.kind == StepKind.SUMMARY)

    def chosen_answers(self, answers: Answers) -> dict[str, dict[str, Any]]:
        """Only the answers of the steps on the chosen path: what gets submitted and shown."""
        return {
            step.id: dict(answers[step.id])
            for step in self.questions(answers)
            if step.id in answers
        }
