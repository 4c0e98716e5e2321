x, name = 3.14159, "onepy"
print(f"{x:.2f} {x:10.3e} {name!r:>10} {name:*^11} {255:#x} {255:08b} {1234567.891:,.2f}")
print("%s %05d %-6s| %.3g %%" % ("old", 42, "left", 0.000123456))
print("{0}-{1}-{0} {k}".format("a", "b", k="kw"), format(0.5, "%"), format(-7, "+d"))
width = 12
print(f"{'nested':>{width}}|{x=}|{x*2 = :.1f}")
print(f"{'multi' + \
'line'}", repr(1e16), repr(0.1 + 0.2), str(1/3), 2**100, -7 // 2, -7 % 2, divmod(-7, 2))
