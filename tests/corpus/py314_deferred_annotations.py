# PEP 649/749 deferred annotations and annotationlib (new in 3.14).
import annotationlib


def f(x: NotYetDefined, y: int = 1) -> list[NotYetDefined]:
    return [x]


class Node:
    next: Node | None
    value: int


print(annotationlib.get_annotations(f, format=annotationlib.Format.STRING))
print(annotationlib.get_annotations(Node, format=annotationlib.Format.STRING))
try:
    f.__annotations__
except NameError as e:
    print("NameError", e.name)
fwd = annotationlib.get_annotations(f, format=annotationlib.Format.FORWARDREF)
print(type(fwd["x"]).__name__, fwd["x"].__forward_arg__, fwd["y"])
NotYetDefined = str
print(f.__annotations__["return"], annotationlib.get_annotations(Node)["value"])
