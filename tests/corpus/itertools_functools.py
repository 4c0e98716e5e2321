import functools, itertools, operator
print(list(itertools.accumulate([1, 2, 3, 4], operator.mul)))
print(list(itertools.combinations("abcd", 2))[:4], len(list(itertools.permutations(range(4)))))
print(list(itertools.batched(range(7), 3)), list(itertools.pairwise("abcd")))
print(list(itertools.islice(itertools.cycle("xy"), 5)), list(itertools.chain.from_iterable([[1], [2, 3]])))
@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print(fib(90), fib.cache_info().hits)
print(functools.reduce(lambda a, b: a * 10 + b, [1, 2, 3]), functools.partial(pow, 2)(10))
for key, group in itertools.groupby(sorted("aabbbcd")):
    print(key, len(list(group)), end="; ")
print()
