"""Java 17: javac once, then the JVM with the heap capped at the memory limit (as on Codeforces)."""

from __future__ import annotations

import re

from judge.languages import MIB, Language

_PUBLIC_CLASS = re.compile(r"^\s*public\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][\w$]*)", re.M)
# The JVM itself (code cache, metaspace, GC and compiler threads) beyond the -Xmx heap.
JVM_OVERHEAD = 192 * MIB


class Java(Language):
    def source_name(self, source: str) -> str:
        m = _PUBLIC_CLASS.search(source)
        return f"{m.group(1) if m else 'Main'}.java"

    def compile_argv(self, tools, source_name):
        return [tools["javac"], "-J-Xmx512m", "-J-XX:+UseSerialGC", "-J-XX:-UsePerfData", *self.flags, source_name]

    def run_argv(self, tools, directory, source_name, memory_limit):
        heap = max(memory_limit // MIB, 16)
        return [tools["java"], f"-Xmx{heap}m", "-Xss64m", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-cp", directory, source_name.removesuffix(".java")]


LANGUAGE = Java(
    id="java",
    title="Java 17",
    extensions=(".java",),
    tools=("javac", "java"),
    version_args=("-version",),
    flags=("-encoding", "UTF-8"),
    memory_overhead=JVM_OVERHEAD,
    mle_markers=("java.lang.OutOfMemoryError",),
    address_space_limit=False,  # the JVM reserves far more address space than it uses: -Xmx caps it
    self_test="import java.util.*;\npublic class Main { public static void main(String[] a) {\n"
              "  Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n",
)
