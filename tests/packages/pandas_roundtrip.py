# pandas' compiled parts in use (groupby, merge/join, the C CSV parser and
# writer, datetimes): host/tests/verified.rs runs this in build/packages.wasm
# and natively with the same pins and compares the output.
import io

import numpy as np
import pandas as pd

df = pd.DataFrame({
    "city": ["Oslo", "Lima", "Oslo", "Pune", "Lima", "Oslo"],
    "day": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-02", "2026-01-02", "2026-01-03", "2026-01-03"]),
    "temp": [-3.5, 24.0, -1.25, 31.5, 22.75, np.nan],
    "n": np.arange(6, dtype="int64"),
})
g = df.groupby("city").agg(mean_temp=("temp", "mean"), total=("n", "sum"), days=("day", "nunique"))
print(g.to_string())
codes = pd.DataFrame({"city": ["Lima", "Oslo", "Pune", "Rome"], "cc": ["PE", "NO", "IN", "IT"]})
m = df.merge(codes, on="city", how="outer").sort_values(["city", "n"], na_position="last")
print(m.to_string())
buf = io.StringIO()
m.to_csv(buf, index=False)
text = buf.getvalue()
print(text, end="")
back = pd.read_csv(io.StringIO(text), parse_dates=["day"], dtype={"n": "Int64"})
print(back.dtypes.to_string())
print(back.equals(m.reset_index(drop=True).astype({"n": "Int64"})), back["temp"].sum())
print(pd.read_csv(io.StringIO("a,b\n1,x\n2,y\n"), engine="c").to_dict("list"))
print(pd.Series(pd.date_range("2026-03-28", periods=4, freq="D", tz="Europe/Oslo")).dt.strftime("%Y-%m-%d %H:%M %Z").tolist())
print(type(pd._libs.parsers.TextReader).__name__, pd.__version__)
