import string, textwrap
text = "onepy embeds the CPython standard library and runs it from memory without any preopened directory. " * 2
print(textwrap.fill(text, width=40))
print(textwrap.dedent("""\
    a
      b
    c"""))
print(textwrap.shorten(text, 30), textwrap.indent("x\ny", "> "))
print(string.Template("$who likes $what").substitute(who="tim", what="kung pao"))
print(string.capwords("hello   wide world"), string.ascii_letters[:5], string.punctuation[:4])
