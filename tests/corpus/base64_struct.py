import base64, binascii, struct
raw = bytes(range(0, 256, 7))
print(base64.b64encode(raw), base64.b32encode(b"onepy"), base64.a85encode(b"wasm"))
print(base64.urlsafe_b64decode(base64.urlsafe_b64encode(raw)) == raw, binascii.hexlify(b"\x00\xff", "-"))
packed = struct.pack("<hIqd?3s", -2, 4000000000, -2**60, 3.25, True, b"abc")
print(packed.hex(), struct.calcsize("<hIqd?3s"))
print(struct.unpack("<hIqd?3s", packed), struct.unpack(">f", struct.pack(">f", 0.1))[0])
print(list(struct.iter_unpack("<H", b"\x01\x00\x02\x00")))
