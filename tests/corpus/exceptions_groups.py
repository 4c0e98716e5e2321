import traceback
class AppError(Exception):
    pass
def fail():
    try:
        {}["missing"]
    except KeyError as e:
        raise AppError("wrapped") from e
try:
    fail()
except AppError as e:
    print(type(e.__cause__).__name__, e, e.__suppress_context__)
try:
    raise ExceptionGroup("many", [ValueError(1), TypeError(2), ValueError(3)])
except* ValueError as eg:
    print("values", [str(x) for x in eg.exceptions])
except* TypeError as eg:
    print("types", len(eg.exceptions))
try:
    1 / 0
except ZeroDivisionError as e:
    e.add_note("a note")
    lines = traceback.format_exception_only(e)
    print(lines)
try:
    raise ValueError("final")
finally:
    print("finally runs")
