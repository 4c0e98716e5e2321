from urllib.parse import urlparse, urlencode, parse_qs, quote, unquote, urljoin
u = urlparse("https://user:pw@example.com:8443/a/b;p?q=1&q=2&x=%C3%A9#frag")
print(u.scheme, u.hostname, u.port, u.path, u.params, parse_qs(u.query), u.fragment)
print(urlencode({"a": "b c", "é": ["1", "2"]}, doseq=True), quote("a b/ü"), unquote("%E2%82%AC"))
print(urljoin("http://h/a/b/c", "../d"), urljoin("http://h/a/", "//other/x"))
import ipaddress
net = ipaddress.ip_network("192.168.0.0/29")
print(list(net.hosts())[:3], ipaddress.ip_address("::1").is_loopback, net.num_addresses)
