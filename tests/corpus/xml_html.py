import html, xml.etree.ElementTree as ET
from xml.dom import minidom
root = ET.Element("catalog", version="1")
for i, title in enumerate(["Dune", "Emma & Co"]):
    book = ET.SubElement(root, "book", id=str(i))
    book.text = title
ET.indent(root)
text = ET.tostring(root, encoding="unicode")
print(text)
parsed = ET.fromstring(text)
print([b.text for b in parsed.findall("book")], parsed.find("book[@id='1']").text)
print(minidom.parseString("<a><b x='1'/></a>").documentElement.firstChild.getAttribute("x"))
print(html.escape("<a href='x'>&</a>"), html.unescape("&lt;&eacute;&#x41;"))
