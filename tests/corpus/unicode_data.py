import unicodedata
for ch in "aé€😀ß":
    print(repr(ch), unicodedata.name(ch), unicodedata.category(ch), hex(ord(ch)))
print(unicodedata.normalize("NFD", "é") == "e\u0301", unicodedata.normalize("NFKC", "ﬁ"))
print("Straße".upper(), "ǅ".lower(), "İ".casefold(), len("😀".encode("utf-16-le")))
print(unicodedata.unidata_version, unicodedata.numeric("½"), unicodedata.lookup("SNOWMAN"))
print("ümlaut".encode("latin-1"), b"\xe2\x82\xac".decode("utf-8"), "x".encode("idna"))
