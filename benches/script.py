# A small real script for `make bench`: parse a JSON log, aggregate with
# regex, collections and dataclasses, print a report.
import json, re, collections, dataclasses, datetime

LOG = json.dumps([{"ts": f"2026-11-{d:02d}T10:{m:02d}:00", "msg": f"GET /api/v{d % 3}/item/{m} {200 + (m % 3) * 100}"}
                  for d in range(1, 21) for m in range(0, 60, 7)])

@dataclasses.dataclass
class Hit:
    day: datetime.date
    version: str
    status: int

pattern = re.compile(r"GET /api/(v\d)/item/\d+ (\d{3})")
hits = []
for entry in json.loads(LOG):
    m = pattern.search(entry["msg"])
    hits.append(Hit(datetime.datetime.fromisoformat(entry["ts"]).date(), m.group(1), int(m.group(2))))
by_version = collections.Counter(h.version for h in hits)
errors = sum(h.status >= 400 for h in hits)
print(f"{len(hits)} hits, {errors} errors, {dict(sorted(by_version.items()))}")
