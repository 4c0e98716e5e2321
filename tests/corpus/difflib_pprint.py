import difflib, pprint, reprlib
a = ["one", "two", "three", "four"]
b = ["one", "too", "three", "five", "four"]
print("".join(difflib.unified_diff([l + "\n" for l in a], [l + "\n" for l in b], "a", "b")))
print(difflib.SequenceMatcher(None, "onepy", "one.py").ratio(), difflib.get_close_matches("appel", ["ape", "apple", "peach"]))
pprint.pprint({"k%02d" % i: list(range(i)) for i in range(8)}, width=60, sort_dicts=True)
print(reprlib.repr(list(range(100))), reprlib.repr("x" * 100))
