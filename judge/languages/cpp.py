"""C++17 with g++, Codeforces' flags."""

from __future__ import annotations

from judge.languages import Language


class Cpp(Language):
    def compile_argv(self, tools, source_name):
        return [tools["g++"], *self.flags, "-o", "main", source_name]

    def run_argv(self, tools, directory, source_name, memory_limit):
        return [f"{directory}/main"]


LANGUAGE = Cpp(
    id="cpp",
    title="C++17 (g++)",
    extensions=(".cpp", ".cc", ".cxx", ".c++"),
    tools=("g++",),
    flags=("-O2", "-std=c++17", "-DONLINE_JUDGE"),
    mle_markers=("std::bad_alloc",),  # an allocation refused under RLIMIT_AS (no memory cgroup)
    self_test='#include <cstdio>\nint main() { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", a + b); }\n',
)
