// A minimal stand-in for testlib.h, written for csim's tests: just what check.cpp uses
// (registerTestlibCmd, ans/ouf.readLong, quitf with _ok/_wa and testlib's exit codes 0/1).
#pragma once
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

enum TResult { _ok = 0, _wa = 1, _pe = 2, _fail = 3 };

struct InStream {
    FILE* file = nullptr;
    long long readLong() {
        long long value;
        if (!file || std::fscanf(file, "%lld", &value) != 1) {
            std::fprintf(stderr, "expected an integer\n");
            std::exit(_pe);
        }
        return value;
    }
};

static InStream inf, ouf, ans;

void registerTestlibCmd(int argc, char* argv[]) {
    if (argc < 4) std::exit(_fail);
    inf.file = std::fopen(argv[1], "r");
    ouf.file = std::fopen(argv[2], "r");
    ans.file = std::fopen(argv[3], "r");
}

void quitf(TResult result, const char* format, ...) {
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fprintf(stderr, "\n");
    std::exit(result);
}
