"""The townships a viewer may see, as the SQL condition every statement adds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, true


@dataclass(frozen=True)
class Scope:
    """The townships a viewer may see. ``None`` is the whole district, including rows
    that belong to no township; an empty set sees nothing."""

    townships: frozenset[str] | None = None

    @classmethod
    def of(cls, *names: str) -> "Scope":
        return cls(frozenset(names))

    @property
    def is_district(self) -> bool:
        return self.townships is None

    def allows(self, township: str | None) -> bool:
        """Whether rows of ``township`` (None: the district as a whole) may be seen."""
        if self.townships is None:
            return True
        return township is not None and township in self.townships

    def narrowed(self, township: str | None) -> "Scope":
        if township is None:
            return self
        allowed = self.townships is None or township in self.townships
        return Scope(frozenset([township]) if allowed else frozenset())

    def clause(self, column):
        if self.townships is None:
            return true()
        if not self.townships:
            return false()
        return column.in_(sorted(self.townships))


ALL = Scope()
NOBODY = Scope(frozenset())
