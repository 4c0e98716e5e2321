import dataclasses, enum
@dataclasses.dataclass(order=True, frozen=True)
class Version:
    major: int
    minor: int = 0
    tags: tuple = dataclasses.field(default=(), compare=False)
vs = sorted([Version(3, 13), Version(3, 9, ("old",)), Version(2)])
print(vs, dataclasses.asdict(vs[0]))
try:
    vs[0].major = 1
except dataclasses.FrozenInstanceError as e:
    print("frozen:", e)
class Color(enum.Enum):
    RED = 1
    GREEN = enum.auto()
class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1
print(Color.GREEN, Color(1).name, list(Color), Perm.R | Perm.X, int(Perm.R | Perm.W))
print(repr(Color.RED), Perm(7))
