import sqlite3
con = sqlite3.connect(":memory:")
con.execute("create table t (id integer primary key, name text, score real)")
con.executemany("insert into t (name, score) values (?, ?)", [("ann", 9.5), ("bob", 7.25), ("cy", None)])
con.create_function("twice", 1, lambda x: None if x is None else x * 2)
for row in con.execute("select id, name, twice(score) from t order by id"):
    print(row)
print(con.execute("select count(*), avg(score), group_concat(name, '|') from t").fetchone())
con.row_factory = sqlite3.Row
r = con.execute("select * from t where name = ?", ("bob",)).fetchone()
print(dict(r), r.keys())
try:
    con.execute("select * from missing")
except sqlite3.OperationalError as e:
    print("error:", e)
