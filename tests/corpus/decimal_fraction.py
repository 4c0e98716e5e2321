from decimal import Decimal, getcontext, ROUND_HALF_EVEN, localcontext
from fractions import Fraction
getcontext().prec = 40
print(Decimal(2).sqrt())
print(Decimal("1.1") + Decimal("2.2"), Decimal("10") / Decimal("3"))
with localcontext() as ctx:
    ctx.prec = 5
    print(Decimal("3.14159265").quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN), Decimal(1) / 7)
print(Fraction(3, 4) + Fraction(5, 6), Fraction("0.125"), Fraction(1.5).limit_denominator())
print(sum(Fraction(1, n) for n in range(1, 11)))
