import re
text = "2026-11-22 onepy v0.1.0; 2025-01-05 cpython v3.1.5"
for m in re.finditer(r"(?P<date>\d{4}-\d{2}-\d{2}) (?P<name>\w+) v(?P<ver>[\d.]+)", text):
    print(m.group("date"), m.group("name"), m.group("ver"), m.span())
print(re.sub(r"(\w+)@(\w+)\.com", r"\2 at \1", "mail bob@example.com now"))
print(re.split(r"[;,]\s*", "a, b;c ,d"))
print(re.fullmatch(r"(?i)héllo", "HÉLLO") is not None)
print(re.compile(r"(a|b)*c").pattern, re.escape("1+1=2?"))
