def countdown(n):
    while n:
        got = yield n
        n = n - 1 if got is None else got
g = countdown(5)
print(next(g), g.send(2), next(g))
def make_counter():
    count = 0
    def inc(step=1):
        nonlocal count
        count += step
        return count
    return inc
c = make_counter(); c(); c(5)
print(c(), sum(x * x for x in range(10) if x % 3), list(zip("abc", range(3), strict=True)))
def chained():
    yield from range(3)
    return "done"
def outer():
    result = yield from chained()
    yield result
print(list(outer()), {k: v for k, v in enumerate("xyz")}, [*range(2), *"ab"])
