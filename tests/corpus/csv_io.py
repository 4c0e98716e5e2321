import csv, io
buf = io.StringIO()
w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL)
w.writerow(["name", "note", "n"])
w.writerow(["a,b", 'say "hi"', 3])
w.writerow(["multi\nline", "", 4.5])
print(repr(buf.getvalue()))
for row in csv.DictReader(io.StringIO(buf.getvalue())):
    print(row)
print(csv.Sniffer().sniff("a;b;c\n1;2;3\n").delimiter)
