"""Mutants: plausible wrong programs, one edit away, that still parse (Python) or compile (C++, Java)."""

from __future__ import annotations

import ast
import difflib
import shutil
import subprocess

import numpy as np
import pytest

from solver.model.data.mutants import c_like_edits, mutate, python_edits

PYTHON = '''\
import sys

def solve(n, a):
    """Longest run of increasing values."""
    best = 1  # at least one
    run = 1
    for i in range(1, n):
        if a[i] > a[i - 1] and a[i] - a[i - 1] <= 10:
            run += 1
        else:
            run = 1
        best = max(best, run)
    return best % 1000000007

n = int(sys.stdin.readline())
print(solve(n, list(map(int, sys.stdin.readline().split()))))
'''

CPP = r'''#include <iostream>
#include <vector>
#include <map>
#include <algorithm>
#define REP(i, n) for (int i = 0; i < (n); ++i)
using namespace std;
typedef long long ll;

template <typename T> T gcd2(T a, T b) { return b == 0 ? a : gcd2(b, a % b); }

struct Edge { int to; ll w; };

int main() {
    ios::sync_with_stdio(false);
    int n, m;
    cin >> n >> m;
    vector<vector<Edge>> g(n + 1);
    map<int, vector<int>> byColor;
    vector<ll> a(n);
    REP(i, n) cin >> a[i];
    for (int i = 0; i < m; i++) {
        int u, v; ll w;
        cin >> u >> v >> w;
        g[u].push_back({v, w});
        g[v].push_back({u, w});
    }
    ll best = 0, total = 0;
    for (int i = 1; i<n; ++i) {
        if (a[i] > a[i-1] && a[i] - a[i - 1] >= 2) best = max(best, a[i] - a[i - 1]);
        total += i / 2;
        total %= 1000000007LL;
    }
    sort(a.begin(), a.end(), greater<ll>());
    const char *s = "a < b; x = 1;"; // a string and a comment: 3 < 4
    cout << best << ' ' << total << ' ' << gcd2<ll>(a[0], 6) << s[0] << "\n";
    return 0;
}
'''

JAVA = '''import java.util.*;
import java.io.*;

public class Main {
    static int count(List<Integer> xs, int limit) {
        int c = 0;
        for (int i = 0; i < xs.size(); i++) {
            if (xs.get(i) >= limit || xs.get(i) == 0) c++;
        }
        return c;
    }

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        List<Integer> xs = new ArrayList<>();
        Map<String, List<Integer>> seen = new HashMap<>();
        StringTokenizer st = new StringTokenizer(in.readLine());
        for (int i = 0; i < n; i++) xs.add(Integer.parseInt(st.nextToken()));
        long sum = 0;
        for (int x : xs) sum += x - 1;
        sum = sum % 998244353;
        System.out.println(count(xs, n / 2) + " " + sum);
    }
}
'''


def _changed_lines(a: str, b: str) -> list[str]:
    return [line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_python_mutants_of_every_real_solution(codecontests_dev):
    total = 0
    for n, problem in enumerate(codecontests_dev):
        source = problem.solutions[0].source
        mutants = mutate(source, "python", np.random.default_rng(n), limit=3)
        assert len(mutants) == 3, problem.id  # every real solution has something to break
        assert len(set(mutants)) == 3 and source not in mutants
        for mutant in mutants:
            ast.parse(mutant)
            assert len(_changed_lines(source, mutant)) <= 2, problem.id  # one edit: a line changed or dropped
        total += len(mutants)
    assert total == 3 * 244


def test_python_edit_kinds():
    mutants = set(mutate(PYTHON, "python", np.random.default_rng(0), limit=1000))
    changes = {tuple(_changed_lines(PYTHON, m)) for m in mutants}
    expected = [
        ("-        if a[i] > a[i - 1] and a[i] - a[i - 1] <= 10:", "+        if a[i] >= a[i - 1] and a[i] - a[i - 1] <= 10:"),
        ("-        if a[i] > a[i - 1] and a[i] - a[i - 1] <= 10:", "+        if a[i] > a[i - 1] or a[i] - a[i - 1] <= 10:"),
        ("-        if a[i] > a[i - 1] and a[i] - a[i - 1] <= 10:", "+        if a[i] > a[i - 1] and a[i] - a[i - 1] <= 11:"),
        ("-        if a[i] > a[i - 1] and a[i] - a[i - 1] <= 10:", "+        if a[i] > a[i - 1] and a[i - 1] - a[i] <= 10:"),
        ("-            run += 1",  "+            run -= 1"),
        ("-    for i in range(1, n):", "+    for i in range(1, n + 1):"),
        ("-    for i in range(1, n):", "+    for i in range(0, n):"),
        ("-        best = max(best, run)",),  # a dropped line
        ("-    return best % 1000000007", "+    return best % 1000000008"),
        ("-    return best % 1000000007", "+    return 1000000007 % best"),
    ]
    for change in expected:
        assert change in changes, change
    for mutant in mutants:
        ast.parse(mutant)
        assert '"""Longest run of increasing values."""' in mutant  # the docstring is never dropped
        assert "best = 1  # at least one" in mutant or "best = 1" not in mutant  # comments kept as written
    assert len(mutants) > 30


def test_mutation_is_seeded():
    a = mutate(PYTHON, "python", np.random.default_rng(5), limit=4)
    assert a == mutate(PYTHON, "python", np.random.default_rng(5), limit=4)
    assert a != mutate(PYTHON, "python", np.random.default_rng(6), limit=4)


def test_nothing_to_mutate():
    rng = np.random.default_rng(0)
    assert mutate("", "python", rng) == [] and mutate("\n", "cpp", rng) == []
    assert mutate("import sys\n", "python", rng) == []


def test_python_that_does_not_parse_still_gets_lexical_mutants():
    source = "print 'hello', 1 < 2\n"  # Python 2
    mutants = mutate(source, "python", np.random.default_rng(0), limit=10)
    assert set(mutants) == {"print 'hello', 2 < 2\n", "print 'hello', 0 < 2\n", "print 'hello', 1 <= 2\n",
                            "print 'hello', 1 < 3\n", "print 'hello', 1 < 1\n"}


def test_edits_use_character_positions_with_unicode():
    source = 's = "héllo wörld ✓"; n = len(s) - 2\nprint(n)\n'
    mutants = mutate(source, "python", np.random.default_rng(0), limit=100)
    assert 's = "héllo wörld ✓"; n = 2 - len(s)\nprint(n)\n' in mutants
    assert all(ast.parse(m) and 'héllo wörld ✓' in m for m in mutants)


def test_cpp_lexer_leaves_templates_strings_comments_and_preprocessor_alone():
    string_at, string_end = CPP.index('"a < b'), CPP.index("cout << best")
    for edit in c_like_edits(CPP):
        line_start = CPP.rfind("\n", 0, edit.start) + 1
        assert not CPP[line_start:].startswith("#"), CPP[line_start: edit.end]
        if edit.text:  # a token edit, not a dropped line
            assert CPP[edit.start - 7: edit.start] not in ("vector<", "vector>") and CPP[edit.start - 3: edit.start] != "ll>"
            assert not string_at <= edit.start < string_end, CPP[edit.start - 12: edit.end + 12]
    texts = {edit.apply(CPP) for edit in c_like_edits(CPP)}
    assert "    for (int i = 1; i<=n; ++i) {\n" in "".join(texts)
    assert any("a[i] > a[i-1] && a[i] - a[1 - i] >= 2" in t for t in texts) and any("total -= i / 2;" in t for t in texts)
    assert any("        total += i / 2;\n" not in t for t in texts)  # a dropped statement
    assert not any("vector<=" in t or "greater<=" in t or "ll>=()" in t or "T>=" in t for t in texts)


def _compile_all(tmp_path, sources: list[str], compiler: list[str], suffix: str, rename=None) -> subprocess.CompletedProcess:
    """One compiler run over all SOURCES (each in its own file: one start-up, not one per program)."""
    paths = []
    for n, source in enumerate(sources):
        name = f"M{n}"
        path = tmp_path / f"{name}{suffix}"
        path.write_text(rename(source, name) if rename else source)
        paths.append(str(path))
    return subprocess.run(compiler + paths, cwd=tmp_path, capture_output=True, text=True)


@pytest.mark.slow
def test_cpp_mutants_compile(tmp_path):
    assert shutil.which("g++"), "g++ is installed by scripts/setup.sh"
    mutants = mutate(CPP, "cpp", np.random.default_rng(0), limit=1000)
    assert len(mutants) > 40
    # Compiling all of them is slow; a seeded sample keeps the test short.
    sample = [mutants[i] for i in np.random.default_rng(1).choice(len(mutants), 4, replace=False)]
    result = _compile_all(tmp_path, [CPP] + sample, ["g++", "-std=c++17", "-fsyntax-only"], ".cpp")
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.slow
def test_java_mutants_compile(tmp_path):
    assert shutil.which("javac"), "OpenJDK is installed by scripts/setup.sh"
    mutants = mutate(JAVA, "java", np.random.default_rng(0), limit=1000)
    assert len(mutants) > 20
    assert not any("List<=Integer" in m or "ArrayList<=" in m or "Integer>=" in m for m in mutants)
    sample = [mutants[i] for i in np.random.default_rng(1).choice(len(mutants), 8, replace=False)]
    result = _compile_all(tmp_path, [JAVA] + sample, ["javac", "-d", "classes"], ".java",
                          rename=lambda source, name: source.replace("public class Main", f"public class {name}"))
    assert result.returncode == 0, result.stderr[-2000:]


def test_python_edit_list_is_empty_for_unlexable_text():
    assert python_edits('x = """never closed\n') == []


def test_crlf_sources_keep_their_line_ends():
    source = PYTHON.replace("\n", "\r\n")
    mutants = mutate(source, "python", np.random.default_rng(0), limit=1000)
    assert len(mutants) > 30
    for mutant in mutants:
        ast.parse(mutant)
        assert "\n" not in mutant.replace("\r\n", "")  # every line end still CRLF
    cpp = CPP.replace("\n", "\r\n")
    assert any("        total += i / 2;\r\n" not in m and m.count("\r\n") == cpp.count("\r\n") - 1
               for m in mutate(cpp, "cpp", np.random.default_rng(0), limit=1000))  # a whole line dropped
