from collections import Counter, OrderedDict, defaultdict, deque, namedtuple, ChainMap
c = Counter("mississippi")
print(c.most_common(3), sorted(c.elements())[:5])
d = defaultdict(list)
for k, v in [("a", 1), ("b", 2), ("a", 3)]:
    d[k].append(v)
print(dict(d))
q = deque(range(5), maxlen=4); q.appendleft(-1); q.rotate(2)
print(q)
P = namedtuple("P", "x y", defaults=[0])
print(P(1), P(1, 2)._replace(x=5), P._fields)
od = OrderedDict.fromkeys("abc"); od.move_to_end("a")
print(list(od), ChainMap({"x": 1}, {"x": 2, "y": 3})["y"])
