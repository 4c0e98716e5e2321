# cryptography's Rust and OpenSSL parts in memory, with fixed keys and nonces
# so every output is deterministic: host/tests/verified.rs runs it in
# build/packages.wasm and natively (the native wheel of the same pin) and
# compares the output line for line. What is random (Fernet's IV, RSA-PSS's
# salt, generated keys) is checked by a round trip.
import datetime
import hashlib

import cryptography
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.bindings.openssl.binding import Binding
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.x509.oid import NameOID


def short(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


print("cryptography", cryptography.__version__)
lib = Binding().lib  # the cffi module (_openssl) over _cffi_backend
print("cffi binding", lib.Cryptography_HAS_SSL_ST in (0, 1))

for algo in (hashes.SHA256(), hashes.SHA512(), hashes.SHA3_256(), hashes.BLAKE2b(64)):
    h = hashes.Hash(algo)
    h.update(b"onepy " * 1000)
    print("hash", algo.name, h.finalize().hex()[:32])
mac = hmac.HMAC(b"key", hashes.SHA256())
mac.update(b"message")
print("hmac", mac.finalize().hex())
print("hkdf", HKDF(hashes.SHA256(), 32, b"salt", b"info").derive(b"input key").hex())
print("pbkdf2", PBKDF2HMAC(hashes.SHA256(), 32, b"salt", 1000).derive(b"password").hex())
print("scrypt", Scrypt(b"salt", 32, 2**10, 8, 1).derive(b"password").hex())

key, nonce = bytes(range(32)), bytes(range(12))
sealed = AESGCM(key).encrypt(nonce, b"attack at dawn", b"header")
print("aes-gcm", sealed.hex(), AESGCM(key).decrypt(nonce, sealed, b"header"))
sealed = ChaCha20Poly1305(key).encrypt(nonce, b"attack at dawn", None)
print("chacha20-poly1305", sealed.hex())
enc = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
print("aes-cbc", (enc.update(b"sixteen byte msg" * 4) + enc.finalize()).hex()[:48])

signer = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
signature = signer.sign(b"message")
signer.public_key().verify(signature, b"message")
print("ed25519", signature.hex()[:64],
      signer.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex())
a = x25519.X25519PrivateKey.from_private_bytes(bytes(range(32)))
b = x25519.X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
print("x25519", a.exchange(b.public_key()).hex())
p256 = ec.derive_private_key(123456789, ec.SECP256R1())
print("ec p256 public", p256.public_key().public_bytes(serialization.Encoding.X962,
                                                        serialization.PublicFormat.CompressedPoint).hex())
der_sig = p256.sign(b"message", ec.ECDSA(hashes.SHA256()))
p256.public_key().verify(der_sig, b"message", ec.ECDSA(hashes.SHA256()))
print("ecdsa verified")

rsa_key = rsa.generate_private_key(65537, 2048)
sig = rsa_key.sign(b"message", padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH), hashes.SHA256())
rsa_key.public_key().verify(sig, b"message", padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH),
                            hashes.SHA256())
pem = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(b"pass"))
back = serialization.load_pem_private_key(pem, b"pass")
print("rsa 2048 generated, PSS verified, PEM round trip", back.private_numbers() == rsa_key.private_numbers())

token = Fernet(Fernet.generate_key())
print("fernet", token.decrypt(token.encrypt(b"secret")))

name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "onepy.test")])
when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(signer.public_key())
        .serial_number(42).not_valid_before(when).not_valid_after(when + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("onepy.test")]), critical=False)
        .sign(signer, None))
der = cert.public_bytes(serialization.Encoding.DER)
parsed = x509.load_der_x509_certificate(der)
print("x509", short(der), parsed.subject.rfc4514_string(), parsed.serial_number,
      parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName))
