import sys
def inner(values):
    return values["key"]
def outer():
    return inner({"other": 1})
print("before the error")
sys.stdout.flush()
outer()
