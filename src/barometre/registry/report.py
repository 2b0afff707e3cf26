"""What a registry build saw: anomalies in the sources and the rate of every join."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A source row that was not used as is. Never dropped silently: it is listed here."""

    source: str
    line: int | None
    kind: str  # duplicate_code, unknown_departement, empty_record, unmatched, invalid_value…
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "kind": self.kind,
            "message": self.message,
        }


@dataclass(slots=True)
class JoinStat:
    """How many records of a source found their collectivité, and by which rule."""

    name: str
    source: str
    records: int = 0
    matched: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.matched / self.records if self.records else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "records": self.records,
            "matched": self.matched,
            "rate": round(self.rate, 4),
            "by_rule": dict(sorted(self.by_rule.items())),
            "note": self.note,
        }


@dataclass(slots=True)
class BuildReport:
    anomalies: list[Anomaly] = field(default_factory=list)
    joins: list[JoinStat] = field(default_factory=list)

    def add(self, source: str, line: int | None, kind: str, message: str) -> None:
        self.anomalies.append(Anomaly(source, line, kind, message))

    def join(self, name: str, source: str, note: str = "") -> JoinStat:
        stat = JoinStat(name=name, source=source, note=note)
        self.joins.append(stat)
        return stat

    def _example(self, source: str, kind: str) -> str:
        first = next(a for a in self.anomalies if (a.source, a.kind) == (source, kind))
        return f"l. {first.line} : {first.message}" if first.line else first.message

    def anomaly_counts(self) -> Counter[tuple[str, str]]:
        return Counter((a.source, a.kind) for a in self.anomalies)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildReport:
        """Joins and anomaly counts back from :meth:`as_dict` (one example per kind)."""
        report = cls()
        for j in data.get("joins", []):
            stat = JoinStat(j["name"], j["source"], j["records"], j["matched"], note=j["note"])
            stat.by_rule.update(j["by_rule"])
            report.joins.append(stat)
        for item in data.get("anomaly_counts", []):
            for _ in range(item["count"]):
                report.add(item["source"], None, item["kind"], item.get("example", ""))
        return report

    def as_dict(self) -> dict[str, Any]:
        return {
            "joins": [j.as_dict() for j in self.joins],
            "anomaly_counts": [
                {"source": s, "kind": k, "count": n, "example": self._example(s, k)}
                for (s, k), n in sorted(self.anomaly_counts().items())
            ],
        }
