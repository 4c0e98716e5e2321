"""Name resolution for a WASI preview 1 module, which has no network.

wasi-libc for preview 1 has no getaddrinfo() and friends, so CPython's
_socket lacks them, and socket.create_connection() (urllib, http.client,
smtplib, ...) failed with AttributeError where code written for "no
network" catches OSError. socket.py imports this module first when _socket
has no getaddrinfo (patches/stdlib/socket-wasi-no-network.patch); it adds
to _socket the functions that are missing, failing the way they do on a
machine with no network: socket.gaierror (an OSError) for host names,
socket.herror for addresses, OSError for services and protocols. Creating a
socket already fails with OSError ("Not supported").
"""

import _socket

_EAI_NONAME = getattr(_socket, "EAI_NONAME", -2)
_NO_NAME = "Name or service not known (this WASI module has no network)"


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    raise _socket.gaierror(_EAI_NONAME, _NO_NAME)


def getnameinfo(sockaddr, flags):
    raise _socket.gaierror(_EAI_NONAME, _NO_NAME)


def gethostbyname(hostname):
    raise _socket.gaierror(_EAI_NONAME, _NO_NAME)


def gethostbyname_ex(hostname):
    raise _socket.gaierror(_EAI_NONAME, _NO_NAME)


def gethostbyaddr(ip_address):
    raise _socket.herror(1, "Unknown host (this WASI module has no network)")


def getservbyname(servicename, protocolname=None):
    raise OSError("service/proto not found")


def getservbyport(port, protocolname=None):
    raise OSError("port/proto not found")


def getprotobyname(protocolname):
    raise OSError("protocol not found")


def gethostname():
    # Not a network call: a machine without network still has a name.
    return "localhost"


for _name in (
    "getaddrinfo",
    "getnameinfo",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "getservbyname",
    "getservbyport",
    "getprotobyname",
    "gethostname",
):
    if not hasattr(_socket, _name):
        setattr(_socket, _name, globals()[_name])
del _name
