"""Behaviour clustering (AlphaCode, section 4.6): programs that print the same outputs on the
generated inputs form a cluster; one program per cluster is submitted, largest cluster first,
wrapping round to each cluster's next member when there are fewer clusters than submissions.

Pure functions over (program id, outputs) tables. Outputs are compared as the problem's checker
would compare them (tokens; case folded where it ignores case; numbers to its tolerance); a run
that did not finish cleanly counts as one more kind of behaviour.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from contests.model import Checker

FAILED = "\x00failed"  # a run that crashed, timed out...: programs failing alike behave alike
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Cluster:
    rank: int  # 0: the largest
    members: tuple[str, ...]  # program ids, most preferred first
    signature: str  # digest of the normalised outputs

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Pick:
    program: str
    order: int  # 0: submitted first
    cluster: int  # rank of its cluster
    cluster_size: int
    round: int  # 0: one per cluster; 1, 2...: wrap-round passes
    reason: str


def normalise_output(text: str | None, checker: Checker = Checker()) -> str:
    """OUTPUT as the checker sees it, so that outputs it would accept alike compare equal."""
    if text is None:
        return FAILED
    if checker.kind == "lines":
        lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        tokens = lines
    else:
        tokens = text.split()
    if not checker.case_sensitive:
        tokens = [t.lower() for t in tokens]
    if checker.kind == "float":
        # Rounding to the checker's relative tolerance: two answers it accepts alike nearly
        # always print alike (a value right on a rounding boundary may split a cluster).
        digits = max(1, round(-math.log10(max(checker.rel_eps, 1e-15))) - 1)
        tokens = [f"{float(t):.{digits}g}" if _NUMBER.fullmatch(t) else t for t in tokens]
    return "\n".join(tokens)


def signature(outputs: Sequence[str | None], checker: Checker = Checker()) -> str:
    h = hashlib.sha256()
    for out in outputs:
        h.update(normalise_output(out, checker).encode("utf-8", errors="replace"))
        h.update(b"\x1e")
    return h.hexdigest()


def cluster_programs(outputs: Mapping[str, Sequence[str | None]], order: Sequence[str] | None = None,
                     checker: Checker = Checker()) -> list[Cluster]:
    """Group programs by behaviour. OUTPUTS[program][i] is its output on input i (None: the run
    failed). ORDER ranks programs by preference (default: the table's order); it orders members
    within a cluster and breaks ties between clusters of equal size (the one holding the most
    preferred program first)."""
    order = list(order) if order is not None else list(outputs)
    position = {p: n for n, p in enumerate(order)}
    groups: dict[str, list[str]] = {}
    for program in sorted(outputs, key=lambda p: position.get(p, len(position))):
        groups.setdefault(signature(outputs[program], checker), []).append(program)
    ranked = sorted(groups.items(), key=lambda g: (-len(g[1]), position.get(g[1][0], len(position))))
    return [Cluster(rank, tuple(members), sig) for rank, (sig, members) in enumerate(ranked)]


def pick_submissions(clusters: Sequence[Cluster], k: int = 10) -> list[Pick]:
    """Up to K programs: each cluster's first member, largest cluster first; then, while fewer
    than K are chosen, each cluster's next member in the same order (wrap-round)."""
    picks: list[Pick] = []
    n = len(clusters)
    for round_ in range(max((c.size for c in clusters), default=0)):
        for c in clusters:
            if len(picks) >= k:
                return picks
            if round_ < c.size:
                reason = f"cluster {c.rank + 1} of {n} ({c.size} program{'s' if c.size != 1 else ''})"
                reason += ", the largest" if c.rank == 0 and n > 1 else ""
                if round_:
                    reason += f"; wrap-round {round_}: its member {round_ + 1} of {c.size}"
                picks.append(Pick(c.members[round_], len(picks), c.rank, c.size, round_, reason))
    return picks
