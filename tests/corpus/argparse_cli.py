import argparse
p = argparse.ArgumentParser(prog="tool", description="demo")
p.add_argument("files", nargs="+")
p.add_argument("-n", "--count", type=int, default=1)
p.add_argument("--mode", choices=["fast", "slow"], default="fast")
p.add_argument("-v", action="count", default=0)
ns = p.parse_args(["a.txt", "b.txt", "-n", "3", "-vv", "--mode", "slow"])
print(ns)
print(p.format_usage().strip())
try:
    p.parse_args(["--mode", "warp", "x"])
except SystemExit as e:
    print("exit", e.code)
