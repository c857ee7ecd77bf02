"""Shared by the selection tests: a real judge per test module, and a C++ solution of a real
problem (1141A "Game 23" of the CodeContests dev file)."""

from __future__ import annotations

GAME23_CPP = """#include <cstdio>
int main() {
    long long n, m; scanf("%lld %lld", &n, &m);
    if (m % n) { puts("-1"); return 0; }
    long long q = m / n; int c = 0;
    while (q % 2 == 0) { q /= 2; c++; }
    while (q % 3 == 0) { q /= 3; c++; }
    printf("%d\\n", q == 1 ? c : -1);
}
"""


def module_judge(workers: int = 2):
    """Body of a module-scoped `judge` fixture: one sandboxed judge, closed after the module."""
    from judge.runner import Judge, JudgeConfig

    with Judge(JudgeConfig(workers=workers)) as judge:
        yield judge
