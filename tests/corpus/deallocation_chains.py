# Long chains of objects freed at once: CPython's trashcan must break the
# recursion of deallocators (a linked list, nested lists, an exception's
# __context__ chain). On WASI a missing depth check traps the whole module.
import sys


class Node:
    __slots__ = ("next",)


def linked_list(n):
    head = None
    for _ in range(n):
        node = Node()
        node.next = head
        head = node
    return head


chain = linked_list(300_000)
del chain
print("linked list of 300000 nodes freed")

nested = []
for _ in range(300_000):
    nested = [nested]
del nested
print("300000 nested lists freed")

nested = {}
for _ in range(100_000):
    nested = {"inner": nested}
del nested
print("100000 nested dicts freed")


def recurse_in_body_and_except():
    try:
        recurse_in_body_and_except()
    except RecursionError:
        recurse_in_body_and_except()


def current_depth():
    depth = 1
    while True:
        try:
            sys.setrecursionlimit(depth)
            return depth
        except RecursionError:
            depth += 1


limit = sys.getrecursionlimit()
sys.setrecursionlimit(current_depth() + 12)  # 2**12 calls, each raising
try:
    recurse_in_body_and_except()
except RecursionError:
    print("recursion in except handlers ends in RecursionError")
finally:
    sys.setrecursionlimit(limit)
print("done")
