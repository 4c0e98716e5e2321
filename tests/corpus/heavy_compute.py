def primes(limit):
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))
    return [i for i, v in enumerate(sieve) if v]
ps = primes(200000)
print(len(ps), ps[-3:], sum(ps) % 1000003)
words = {}
for i in range(20000):
    w = format(i * 2654435761 % 2**32, "x")[:3]
    words[w] = words.get(w, 0) + 1
print(len(words), max(words.values()), sorted(words)[:3])
print(sum(int(d) for d in str(2**5000)), len(str(3**10000)))
