"""The three-part test a decision must pass before it is worth an ADR (Spec-Kit Plus):
long-term impact, real alternatives, cross-cutting scope. Each part is recorded as evidence,
not as a yes/no flag, so the reason printed with a suggestion says why it passed."""

from __future__ import annotations

from dataclasses import dataclass, field

# Cross-cutting means it reaches beyond one module: at least this many parts of the system.
MIN_SCOPE = 2


@dataclass(frozen=True)
class Significance:
    long_term: str = ""  # why it is costly to change later; empty: it is not
    alternatives: tuple[str, ...] = ()  # the real options that were not taken
    scope: tuple[str, ...] = ()  # the parts of the system it touches

    def failures(self) -> list[str]:
        failed = []
        if not self.long_term:
            failed.append("no long-term impact (cheap to change later)")
        if not self.alternatives:
            failed.append("no real alternative")
        if len(self.scope) < MIN_SCOPE:
            failed.append(f"not cross-cutting (touches only {', '.join(self.scope) or 'nothing'})")
        return failed

    def passes(self) -> bool:
        return not self.failures()

    def reason(self) -> str:
        return (
            f"long-term: {self.long_term}; alternatives: {'; '.join(self.alternatives)}; "
            f"cross-cutting: {', '.join(self.scope)}"
        )


@dataclass
class Decision:
    """One architecture decision found in the plans or the architecture notes."""

    slug: str  # the `/sp.adr <decision-title>` argument
    title: str  # a human title for the ADR
    what: str  # what was decided, one clause, as printed in the suggestion
    significance: Significance
    sources: list[str] = field(default_factory=list)
    # An existing ADR covers this decision when its title/file name holds every term of one of
    # these groups (terms match word prefixes), or its text holds one of `phrases`.
    keywords: tuple[tuple[str, ...], ...] = ()
    phrases: tuple[str, ...] = ()
