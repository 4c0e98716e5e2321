import contextlib, operator
@contextlib.contextmanager
def tag(name, log):
    log.append(f"<{name}>")
    try:
        yield name
    finally:
        log.append(f"</{name}>")
log = []
with tag("a", log), tag("b", log) as b:
    log.append(b.upper())
print(log)
with contextlib.suppress(KeyError):
    {}["x"]
with contextlib.ExitStack() as stack:
    names = [stack.enter_context(tag(n, log)) for n in "xy"]
print(names, log[-4:])
print(operator.itemgetter(1, 0)("ab"), operator.attrgetter("real")(3 + 4j), operator.methodcaller("split", ",")("a,b"))
print(sorted([("b", 2), ("a", 2), ("c", 1)], key=operator.itemgetter(1, 0)))
