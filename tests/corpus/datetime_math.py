from datetime import date, datetime, timedelta, timezone
d = date(2024, 2, 28) + timedelta(days=2)
print(d, d.isoweekday(), d.strftime("%A %d %B %Y"))
dt = datetime(2026, 11, 22, 3, 39, 15, tzinfo=timezone.utc)
print(dt.isoformat(), (dt - datetime(2000, 1, 1, tzinfo=timezone.utc)).total_seconds())
print(datetime.fromisoformat("2026-03-01T12:30:00+05:30").astimezone(timezone.utc))
print(timedelta(days=1, seconds=3661, microseconds=5))
print(date.fromordinal(738000), datetime.strptime("22/11/26 10:05", "%d/%m/%y %H:%M"))
