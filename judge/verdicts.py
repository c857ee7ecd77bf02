"""Verdicts and the results the judge returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Verdict(str, Enum):
    OK = "OK"  # accepted
    WA = "WA"  # wrong answer
    PE = "PE"  # presentation error (testlib exit 2)
    TLE = "TLE"  # time limit exceeded
    MLE = "MLE"  # memory limit exceeded
    OLE = "OLE"  # output limit exceeded
    RE = "RE"  # runtime error: non-zero exit or killed by a signal
    CE = "CE"  # compilation error
    IE = "IE"  # internal error: the judge's (or checker's) own fault, never charged to the submission

    def __str__(self) -> str:
        return self.value


# Precedence when one run shows several faults: the earlier wins. A checker's answer (WA, PE,
# OK) only counts when the run itself was clean.
PRECEDENCE = (Verdict.IE, Verdict.CE, Verdict.TLE, Verdict.MLE, Verdict.OLE, Verdict.RE)


def decide(*faults: Verdict | None, checker: Verdict | None = None) -> Verdict:
    """The verdict of one run from the faults observed (None = not observed) and the checker's answer."""
    seen = {f for f in faults if f is not None}
    for v in PRECEDENCE:
        if v in seen:
            return v
    return checker if checker is not None else Verdict.OK


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest class

    index: int  # position in the list of tests judged (0-based)
    verdict: Verdict
    cpu_time: float = 0.0  # seconds, user + system
    wall_time: float = 0.0  # seconds
    memory: int = 0  # peak, bytes
    exit_code: int | None = None
    signal: int | None = None
    message: str = ""  # short: the checker's comment, or what the judge saw
    points: float | None = None  # partial points from a testlib checker (exit 7)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["verdict"] = self.verdict.value
        return d


@dataclass(frozen=True)
class JudgeResult:
    verdict: Verdict
    tests: tuple[TestResult, ...] = ()
    compile_output: str = ""
    message: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. "limits defaulted to 2 s / 256 MB"

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.OK

    @property
    def failed_test(self) -> int | None:
        """Index of the first test not passed, or None."""
        return next((t.index for t in self.tests if t.verdict is not Verdict.OK), None)

    @property
    def max_cpu_time(self) -> float:
        return max((t.cpu_time for t in self.tests), default=0.0)

    @property
    def max_memory(self) -> int:
        return max((t.memory for t in self.tests), default=0)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict.value,
            "failed_test": self.failed_test,
            "max_cpu_time": self.max_cpu_time,
            "max_memory": self.max_memory,
            "compile_output": self.compile_output,
            "message": self.message,
            "notes": list(self.notes),
            "tests": [t.to_dict() for t in self.tests],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "JudgeResult":
        tests = tuple(TestResult(**{**t, "verdict": Verdict(t["verdict"])}) for t in d.get("tests", ()))
        return cls(Verdict(d["verdict"]), tests, d.get("compile_output", ""), d.get("message", ""),
                   tuple(d.get("notes", ())))
