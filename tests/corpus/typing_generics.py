from typing import Generic, TypeVar, Protocol, get_type_hints, TypedDict, Literal, Optional, runtime_checkable
T = TypeVar("T")
class Box(Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item
@runtime_checkable
class Sized(Protocol):
    def __len__(self) -> int: ...
class Movie(TypedDict):
    title: str
    year: int
def f(x: Optional[int], mode: Literal["a", "b"] = "a") -> list[int]:
    return [x or 0]
print(Box[int](3).item, isinstance([], Sized), isinstance(3, Sized))
print(get_type_hints(f))
print(Movie.__required_keys__ == {"title", "year"}, Box[str].__origin__ is Box)
type Pair[K] = tuple[K, K]
print(Pair.__value__, Pair[int])
