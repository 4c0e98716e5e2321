import json
data = {"name": "onepy", "list": [1, 2.5, None, True], "nested": {"é": "ü", "n": -3}}
text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)
print(text)
assert json.loads(text) == data
print(json.dumps([1e100, 1.5e-7, 2**70]))
try:
    json.loads('{"a": }')
except json.JSONDecodeError as e:
    print("error:", e.msg, e.pos)
