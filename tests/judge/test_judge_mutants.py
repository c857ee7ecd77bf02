"""Mutants of accepted solutions to real problems get exactly the verdict of their fault.

Python mutants are made from the real human solutions of ../shared/data; the data has no C++ or
Java solutions, so those languages start from ports written here, which must first be accepted
on the same real hidden tests. Each fault is put at the start of the program (of main): wrong
output, an endless loop, an allocation past the limit, a crash, a non-zero exit, a syntax error,
an output flood.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from judge.verdicts import Verdict

MIB = 1 << 20
# Tighter than Codeforces' 2 s / 256 MB so that the faults show quickly; the tests are the real ones.
TIME_LIMIT = 1.0
MEMORY_LIMIT = 64 * MIB

CPP = {
    "177B1": """#include <cstdio>
int main() {
    long long n; scanf("%lld", &n);
    long long r = n + 1;
    for (long long i = 2; i * i <= n; ++i)
        if (n % i == 0) { r += n / i; n /= i; i = 1; }
    printf("%lld\\n", r);
}
""",
    "1141A": """#include <cstdio>
int main() {
    long long n, m; scanf("%lld %lld", &n, &m);
    if (m % n) { puts("-1"); return 0; }
    long long q = m / n; int moves = 0;
    while (q % 2 == 0) { q /= 2; ++moves; }
    while (q % 3 == 0) { q /= 3; ++moves; }
    printf("%d\\n", q == 1 ? moves : -1);
}
""",
}
JAVA = {
    "177B1": """import java.util.*;
public class Main {
    public static void main(String[] args) {
        long n = new Scanner(System.in).nextLong();
        long r = n + 1;
        for (long i = 2; i * i <= n; ++i)
            if (n % i == 0) { r += n / i; n /= i; i = 1; }
        System.out.println(r);
    }
}
""",
}

PYTHON_FAULTS = {  # fault -> (code put first, or appended for WA; expected verdict)
    "wrong-answer": ("print('csim-mutant')\n", Verdict.WA),
    "endless-loop": ("while True:\n    pass\n", Verdict.TLE),
    "allocation": ("hog = bytearray(1 << 30)\n", Verdict.MLE),
    "crash": ("raise RuntimeError('csim mutant')\n", Verdict.RE),
    "non-zero-exit": ("import sys\nsys.exit(3)\n", Verdict.RE),
    "syntax-error": ("def broken(:\n", Verdict.CE),
    "output-flood": ("import sys\nwhile True:\n    sys.stdout.write('9' * 65536)\n", Verdict.OLE),
}
CPP_FAULTS = {
    "wrong-answer": ('puts("csim-mutant");', Verdict.WA),
    "endless-loop": ("for (volatile unsigned long long spin = 0;; ++spin) {}", Verdict.TLE),
    # volatile: otherwise g++ -O2 removes an allocation whose contents it can compute
    "allocation": ("{ size_t n = 1u << 30; char* volatile p = (char*)malloc(n); "
                   "for (size_t i = 0; i < n; i += 4096) p[i] = 1; printf(\"%d\", p[n / 2]); }", Verdict.MLE),
    "crash": ("{ volatile int* p = nullptr; *p = 1; }", Verdict.RE),
    "abort": ("abort();", Verdict.RE),
    "non-zero-exit": ("return 3;", Verdict.RE),
    "syntax-error": ("this is not C++;", Verdict.CE),
    "output-flood": ('for (;;) fputs("99999999999999999999999999999999999999999999999999999999999999\\n", stdout);',
                     Verdict.OLE),
}
JAVA_FAULTS = {
    "wrong-answer": ('System.out.println("csim-mutant");', Verdict.WA),
    "endless-loop": ("while (System.nanoTime() > 0) {}", Verdict.TLE),
    "allocation": ("java.util.List<long[]> hog = new java.util.ArrayList<>(); "
                   "while (hog.size() >= 0) hog.add(new long[1 << 20]);", Verdict.MLE),
    "crash": ('if (args.length == 0) throw new RuntimeException("csim mutant");', Verdict.RE),
    "syntax-error": ("this is not Java;", Verdict.CE),
    "output-flood": ('String nines = "9".repeat(1 << 16); while (System.nanoTime() > 0) System.out.print(nines);',
                     Verdict.OLE),
}


def python_mutant(source: str, fault: str) -> str:
    code, _ = PYTHON_FAULTS[fault]
    return source + "\n" + code if fault == "wrong-answer" else code + source


def cpp_mutant(source: str, fault: str) -> str:
    code, _ = CPP_FAULTS[fault]
    source = "#include <cstdlib>\n" + source
    return source.replace("int main() {", "int main() {\n    " + code, 1)


def java_mutant(source: str, fault: str) -> str:
    code, _ = JAVA_FAULTS[fault]
    return re.sub(r"(main\s*\([^)]*\)\s*\{)", lambda m: m.group(1) + "\n        " + code, source, count=1)


@pytest.fixture(scope="module")
def real(codecontests_dev):
    """The sample's real problems, with the tighter limits."""
    chosen = {"177B1", "1141A", "9A", "1091C"}
    return {p.id: dataclasses.replace(p, time_limit=TIME_LIMIT, memory_limit=MEMORY_LIMIT)
            for p in codecontests_dev if p.id in chosen}


@pytest.mark.slow
@pytest.mark.parametrize("pid", ["177B1", "9A", "1091C"])
def test_python_mutants_get_the_verdict_of_their_fault(judge, real, pid):
    problem = real[pid]
    original = problem.correct_solutions[0].source
    assert judge.judge(original, "python", problem).verdict is Verdict.OK
    got = {fault: judge.judge(python_mutant(original, fault), "python", problem).verdict for fault in PYTHON_FAULTS}
    assert got == {fault: verdict for fault, (_, verdict) in PYTHON_FAULTS.items()}


@pytest.mark.slow
@pytest.mark.parametrize("pid", sorted(CPP))
def test_cpp_mutants_get_the_verdict_of_their_fault(judge, real, pid):
    problem = real[pid]
    result = judge.judge(CPP[pid], "cpp", problem, all_tests=True)
    assert result.verdict is Verdict.OK and len(result.tests) == len(problem.tests)
    got = {fault: judge.judge(cpp_mutant(CPP[pid], fault), "cpp", problem) for fault in CPP_FAULTS}
    assert {f: r.verdict for f, r in got.items()} == {f: v for f, (_, v) in CPP_FAULTS.items()}
    assert got["crash"].tests[0].signal == 11 and got["abort"].tests[0].signal == 6
    assert got["non-zero-exit"].tests[0].exit_code == 3
    assert "this is not C++" in got["syntax-error"].compile_output


@pytest.mark.slow
def test_java_mutants_get_the_verdict_of_their_fault(judge, real):
    problem = real["177B1"]
    assert judge.judge(JAVA["177B1"], "java", problem).verdict is Verdict.OK
    got = {fault: judge.judge(java_mutant(JAVA["177B1"], fault), "java", problem) for fault in JAVA_FAULTS}
    assert {f: r.verdict for f, r in got.items()} == {f: v for f, (_, v) in JAVA_FAULTS.items()}
    assert "OutOfMemoryError" in got["allocation"].message or got["allocation"].tests[0].memory > 0


@pytest.mark.slow
def test_mutant_runs_record_their_figures(judge, real):
    problem = real["177B1"]
    tle = judge.judge(python_mutant(problem.correct_solutions[0].source, "endless-loop"), "python", problem)
    assert tle.tests[0].cpu_time > TIME_LIMIT
    mle = judge.judge(cpp_mutant(CPP["177B1"], "allocation"), "cpp", problem)
    assert mle.tests[0].memory >= MEMORY_LIMIT * 0.9 and mle.tests[0].signal == 9
    ok = judge.judge(CPP["177B1"], "cpp", problem)
    assert 0 < ok.max_memory < 16 * MIB and ok.max_cpu_time < TIME_LIMIT
