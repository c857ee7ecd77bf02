"""What one run did, as a verdict: RunOutcome and the rule that classifies a raw run."""

from __future__ import annotations

import signal as signals
from dataclasses import dataclass

from judge.languages import MIB, Language
from judge.sandbox.box import RawRun
from judge.verdicts import Verdict, decide


@dataclass(frozen=True)
class RunOutcome:
    """One run of a program on one input, not checked (for behaviour clustering)."""

    stdout: str
    verdict: Verdict  # OK TLE MLE OLE RE CE IE
    cpu_time: float = 0.0
    wall_time: float = 0.0
    memory: int = 0
    exit_code: int | None = None
    signal: int | None = None
    message: str = ""
    stderr: str = ""

    @property
    def size(self) -> int:
        return len(self.stdout) + len(self.stderr) + 128


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def classify(raw: RawRun, lang: Language, time_limit: float, stdout_size: int, output_limit: int,
             stderr: str) -> tuple[Verdict, str]:
    """The verdict of a run before checking, by the precedence IE > TLE > MLE > OLE > RE, and why.
    STDOUT_SIZE: bytes of standard output (read up to one byte past OUTPUT_LIMIT)."""
    if raw.error:
        return Verdict.IE, raw.error
    failed = raw.exit_code != 0 or raw.signal is not None
    tle = (raw.timed_out and not raw.output_limit) or raw.cpu_limit or raw.cpu_time > time_limit or raw.cgroup_cpu > time_limit + 0.5 \
        or raw.signal == signals.SIGXCPU
    mle = raw.oom_killed or (failed and any(m in stderr for m in lang.mle_markers))
    # Over the limit is OLE; the limit itself is allowed. Only standard output counts: a program
    # killed by SIGXFSZ for a large stderr or scratch file broke a limit on files, not on output (RE).
    ole = raw.output_limit or stdout_size > output_limit
    verdict = decide(Verdict.TLE if tle else None, Verdict.MLE if mle else None, Verdict.OLE if ole else None,
                     Verdict.RE if failed else None)
    if verdict is Verdict.TLE:
        if raw.timed_out:
            return verdict, f"wall-clock limit reached ({raw.wall_time:.2f} s; CPU {raw.cpu_time:.2f} s)"
        return verdict, f"CPU time {max(raw.cpu_time, raw.cgroup_cpu):.2f} s > {time_limit:g} s"
    if verdict is Verdict.MLE:
        return verdict, "memory limit exceeded" + (" (killed by the OOM killer)" if raw.oom_killed else "")
    if verdict is Verdict.OLE:
        return verdict, f"output exceeds {output_limit // MIB} MiB"
    if verdict is Verdict.RE:
        how = f"killed by {_signal_name(raw.signal)}" if raw.signal is not None else f"exit code {raw.exit_code}"
        last = stderr.strip().splitlines()[-1][:200] if stderr.strip() else ""
        return verdict, f"{how}: {last}" if last else how
    return verdict, ""
