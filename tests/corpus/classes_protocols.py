class Vector:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __add__(self, o):
        return Vector(self.x + o.x, self.y + o.y)
    def __repr__(self):
        return f"Vector({self.x}, {self.y})"
    def __eq__(self, o):
        return (self.x, self.y) == (o.x, o.y)
    def __iter__(self):
        yield self.x; yield self.y
class Meta(type):
    def __new__(mcs, name, bases, ns):
        ns["tag"] = name.lower()
        return super().__new__(mcs, name, bases, ns)
class Tagged(metaclass=Meta):
    pass
class A:
    def who(self): return "A"
class B(A):
    def who(self): return "B>" + super().who()
class C(A):
    def who(self): return "C>" + super().who()
class D(B, C):
    def who(self): return "D>" + super().who()
print(Vector(1, 2) + Vector(3, 4), list(Vector(5, 6)), Vector(1, 1) == Vector(1, 1))
print(Tagged.tag, D().who(), [k.__name__ for k in D.__mro__])
print(isinstance(True, int), issubclass(bool, object), type(3).__name__, hash((1, 2)) == hash((1, 2)))
