# PEP 750 template strings (new in 3.14).
from string.templatelib import Interpolation, Template

name, amount = "Ada", 3.14159
t = t"Hello {name!r}, you owe {amount:.2f} <{'&'}>"
print(type(t).__name__, t.strings)
print([(i.value, i.expression, i.conversion, i.format_spec) for i in t.interpolations])


def html(template: Template) -> str:
    out = []
    for part in template:
        if isinstance(part, Interpolation):
            out.append(str(part.value).replace("&", "&amp;").replace("<", "&lt;"))
        else:
            out.append(part)
    return "".join(out)


print(html(t"<b>{'<script>'}</b> & {name}"))
print(list(t + t" more")[-1], isinstance(t"", Template))
