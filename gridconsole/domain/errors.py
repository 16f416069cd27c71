"""Typed errors of the domain; their text is in the operator's language (the active locale)."""

from __future__ import annotations

from dataclasses import dataclass

from gridconsole.i18n import t


@dataclass(frozen=True)
class Term:
    """A catalog key used as a message parameter, translated when the message is read."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return t(self.key, **{name: str(value) for name, value in self.params})


class DomainError(Exception):
    """A refusal the operator must read: ``str(error)`` is the translated message.

    Translation happens when the message is read, so an error raised in a worker thread is shown
    in the locale active where it is displayed.
    """

    key = "error.generic"

    def __init__(self, **params: object) -> None:
        super().__init__(self.key)
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **{name: str(value) for name, value in self.params.items()})


class NotFound(DomainError):
    key = "error.not_found"

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(what=Term(f"entity.{what}"), ident=ident)


class PermissionDenied(DomainError):
    key = "error.permission_denied"

    def __init__(self, operator: str, role: str, action: str) -> None:
        super().__init__(
            operator=operator, role=Term(f"role.{role}"), action=Term(f"action.{action}")
        )


class TransitionRefused(DomainError):
    """The case's state does not allow the action."""

    key = "error.transition_refused"

    def __init__(self, case_code: str, state: str, action: str) -> None:
        super().__init__(
            case_code=case_code, state=Term(f"state.{state}"), action=Term(f"action.{action}")
        )
        self.case_code = case_code
        self.state = state
        self.action = action


class RuleRefused(DomainError):
    """The action is allowed in this state but a rule forbids it here (the ``rule`` key says which)."""

    key = "error.rule_refused"

    def __init__(self, case_code: str, action: str, rule: str, **rule_params: object) -> None:
        super().__init__(
            case_code=case_code,
            action=Term(f"action.{action}"),
            why=Term(f"rule.{rule}", tuple(rule_params.items())),
        )
        self.rule = rule


class StaleCase(DomainError):
    """Someone else changed the case since the operator loaded it."""

    key = "error.stale_case"

    def __init__(self, case_code: str, changed_by: str, changed_at: str) -> None:
        super().__init__(case_code=case_code, changed_by=changed_by, changed_at=changed_at)
        self.case_code = case_code


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field: ``field`` is its name, ``message`` the translated rule."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationFailed(DomainError):
    key = "error.validation_failed"

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(details="; ".join(str(problem) for problem in problems))
        self.problems = problems


class DatabaseBusy(DomainError):
    """Another writer held the database past the wait: nothing was written, try again."""

    key = "error.database_busy"

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds=seconds)
