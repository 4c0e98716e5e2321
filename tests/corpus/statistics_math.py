import math, statistics, cmath, random
data = [2.5, 3.1, 4.7, 4.7, 5.0, 8.25]
print(statistics.mean(data), statistics.median(data), statistics.mode(data))
print(round(statistics.stdev(data), 10), statistics.quantiles(data, n=4))
print(math.comb(50, 7), math.factorial(25), math.isqrt(10**30 + 1), math.gcd(84, 126, 210))
print(math.log2(1024), math.hypot(3, 4, 12), math.fsum([0.1] * 10), math.prod([1.5, 2, 4]))
print(cmath.sqrt(-4), cmath.phase(-1), math.inf > 10**308, math.isnan(math.nan))
r = random.Random(42)
print([r.randint(1, 100) for _ in range(5)], r.choice("abcdef"), round(r.gauss(0, 1), 12))
