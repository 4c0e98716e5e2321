import bisect, heapq
h = []
for x in [5, 1, 8, 3, 9, 2]:
    heapq.heappush(h, x)
print([heapq.heappop(h) for _ in range(3)], heapq.nlargest(2, [4, 1, 7, 3]), heapq.nsmallest(2, "dbca"))
print(list(heapq.merge([1, 4, 7], [2, 5, 8], [3, 6])))
a = [1, 3, 3, 5, 8]
print(bisect.bisect_left(a, 3), bisect.bisect_right(a, 3), bisect.bisect(a, 10))
bisect.insort(a, 4)
print(a, bisect.bisect_left(a, 5, key=lambda v: v))
