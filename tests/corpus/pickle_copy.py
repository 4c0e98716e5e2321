import copy, pickle
from collections import OrderedDict
class Node:
    def __init__(self, value, children=()):
        self.value, self.children = value, list(children)
    def __eq__(self, other):
        return self.value == other.value and self.children == other.children
tree = Node(1, [Node(2), Node(3, [Node(4)])])
data = {"tree": tree, "set": {1, 2}, "bytes": b"\x00\x01", "od": OrderedDict(a=1), "big": 2**100, "f": 1.5}
for proto in range(pickle.HIGHEST_PROTOCOL + 1):
    assert pickle.loads(pickle.dumps(data, proto)) == data
print(pickle.HIGHEST_PROTOCOL, len(pickle.dumps([1, 2, 3], 2)), pickle.dumps((1, "a"), 0))
shallow, deep = copy.copy(tree), copy.deepcopy(tree)
tree.children[0].value = 99
print(shallow.children[0].value, deep.children[0].value)
cyc = []; cyc.append(cyc)
print(copy.deepcopy(cyc)[0][0] is not cyc)
