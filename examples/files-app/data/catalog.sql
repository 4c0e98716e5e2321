-- The source of catalog.db (committed beside it; regenerate with
-- `python3 -c "import sqlite3; c = sqlite3.connect('catalog.db'); c.executescript(open('catalog.sql').read())"`).
CREATE TABLE books (title TEXT, year INTEGER);
INSERT INTO books VALUES ('Neuromancer', 1984), ('Dune', 1965), ('Snow Crash', 1992);
