"""Run one pyperformance benchmark in this process and print its timings.

    python harness.py BENCHMARKS_DIR NAME [--min-time S] [--repeat N] [--extra-opt ARG ...]

pyperformance benchmarks are scripts written against pyperf's Runner, which
normally spawns worker processes. Here a small stand-in for the `pyperf`
module takes the Runner's place: each bench_func/bench_time_func/
bench_async_func call is timed right here (loops calibrated until one run
takes --min-time, then the best of --repeat runs), so the same workload runs
unchanged in python.wasm, which cannot spawn processes. Prints one line per
timed function: "ONEPY-BENCH <name> <seconds per inner loop>", or
"ONEPY-BENCH-ERROR <reason>" when the benchmark cannot run here.
"""

import argparse
import os
import sys
import time
import types


class Unsupported(Exception):
    pass


class Runner:
    def __init__(self, *args, **kwargs):
        self.metadata = {}
        self.argparser = argparse.ArgumentParser()
        self.args = None
        self.timed = False

    def parse_args(self, args=None):
        # The benchmark's own options: pyproject's `extra_opts` (run.py passes them).
        self.args = self.argparser.parse_args(OPTIONS.extra_opt)
        return self.args

    def _measure(self, name, run_loops, inner_loops):
        # run_loops(loops) -> seconds for `loops` iterations of the workload.
        loops = 1
        while True:
            elapsed = run_loops(loops)
            if elapsed >= OPTIONS.min_time or loops >= 1 << 20:
                break
            loops *= 2 if elapsed <= 0 else max(2, min(10, int(OPTIONS.min_time / elapsed * 1.2) + 1))
        best = elapsed
        for _ in range(OPTIONS.repeat - 1):
            best = min(best, run_loops(loops))
        per_loop = best / loops / (inner_loops or 1)
        self.timed = True
        print(f"ONEPY-BENCH {name} {per_loop:.9g}", flush=True)

    def bench_time_func(self, name, func, *args, inner_loops=None, **kwargs):
        self._measure(name, lambda loops: func(loops, *args), inner_loops)

    def bench_func(self, name, func, *args, inner_loops=None, **kwargs):
        def run_loops(loops):
            t0 = time.perf_counter()
            for _ in range(loops):
                func(*args)
            return time.perf_counter() - t0

        self._measure(name, run_loops, inner_loops)

    def bench_async_func(self, name, func, *args, inner_loops=None, **kwargs):
        import asyncio

        def run_loops(loops):
            loop = asyncio.new_event_loop()
            try:
                t0 = time.perf_counter()
                for _ in range(loops):
                    loop.run_until_complete(func(*args))
                return time.perf_counter() - t0
            finally:
                loop.close()

        self._measure(name, run_loops, inner_loops)

    def bench_command(self, name, command):
        raise Unsupported("times a subprocess (bench_command), not in-process work")


def fake_pyperf():
    module = types.ModuleType("pyperf")
    module.Runner = Runner
    module.perf_counter = time.perf_counter
    module.python_implementation = lambda: sys.implementation.name
    return module


def main():
    global OPTIONS
    parser = argparse.ArgumentParser()
    parser.add_argument("benchmarks")
    parser.add_argument("name")
    parser.add_argument("--min-time", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--extra-opt", action="append", default=[],
                        help="an argument for the benchmark's own parser (pyperformance's extra_opts)")
    OPTIONS = parser.parse_args()
    bench_dir = os.path.join(OPTIONS.benchmarks, "bm_" + OPTIONS.name)
    script = os.path.join(bench_dir, "run_benchmark.py")
    sys.modules["pyperf"] = fake_pyperf()
    sys.path.insert(0, bench_dir)
    sys.argv = [script]
    with open(script, encoding="utf-8") as f:
        code = compile(f.read(), script, "exec")
    # A real __main__ module, so pickle finds the benchmark's functions by name.
    main_module = types.ModuleType("__main__")
    main_module.__file__ = script
    sys.modules["__main__"] = main_module
    try:
        exec(code, main_module.__dict__)
    except Unsupported as e:
        print(f"ONEPY-BENCH-ERROR {e}", flush=True)
        return 3
    except BaseException as e:  # the reason goes into the results table
        print(f"ONEPY-BENCH-ERROR {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
