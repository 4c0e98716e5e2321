import hashlib, hmac, secrets, base64
for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "blake2b", "blake2s"):
    print(name, hashlib.new(name, b"onepy").hexdigest()[:24])
print(hmac.new(b"key", b"msg", "sha256").hexdigest())
print(hashlib.file_digest(__import__("io").BytesIO(b"x" * 100000), "sha256").hexdigest()[:32])
print(len(secrets.token_hex(16)), base64.b64encode(hashlib.sha256(b"").digest())[:12])
print(sorted(hashlib.algorithms_guaranteed)[:4])
