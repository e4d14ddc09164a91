"""Document and ticket numbers that do not repeat.

Drawn at random, 9-digit Russian passport numbers collide within weeks (the birthday problem: a few
in every 20,000 travellers), and a collision looks to the corridor engine like one passport on two
journeys. So each train numbers what it issues from its own block of serials,

    serial = ((days since EPOCH) × trains + train slot) × PER_TRAIN + k,

and maps each serial into the number space of size N by a bijection of [0, N). Distinct serials give
distinct numbers as long as a run's serials span fewer than N values: ten years for Russian passports
(N = 3 × 10^7, 8 trains, PER_TRAIN = 1,024), far more for the others. Blocks per train keep each
train's numbers independent of the rest of the run.

Passport numbers have no visible order, so their bijection is a keyed permutation (a small Feistel
network, cycle-walked into [0, N)). Visa stickers and tickets are issued in series in real life, so an
affine map, (serial × A + B) mod N with A coprime to N, is enough for them.
"""

from __future__ import annotations

from datetime import date
from math import gcd
from random import Random

EPOCH = date(2020, 1, 1)
PER_TRAIN = 1024
_DEU_ALPHABET = "CFGHJKLMNPRTVWXYZ0123456789"  # German passports avoid vowels and look-alike letters
_ROUNDS = 4

# Passport number spaces: (prefixes, digits after the prefix). Russian foreign passports: a 2-digit
# series (75–77 for the biometric ones) and 7 digits.
PASSPORTS: dict[str, tuple[tuple[str, ...], int]] = {
    "RUS": (("75", "76", "77"), 7),
    "BLR": (("MP", "KH", "AB"), 7),
    "UKR": (("FA", "FB", "EM"), 6),
    "KAZ": (("N",), 8),
    "ARM": (("AT", "AU"), 7),
    "UZB": (("FA", "AC"), 7),
    "LTU": (("1", "2"), 7),
    "LVA": (("LV", "PA"), 7),
    "POL": (("EA", "EB"), 7),
}


class _Permutation:
    """A keyed bijection of [0, size): a Feistel network on the next even number of bits, applied
    again while the result falls outside [0, size) (cycle walking ends because the network is a
    permutation of a finite set)."""

    def __init__(self, size: int, keys: list[int]) -> None:
        bits = max(2, (size - 1).bit_length())
        self.half = (bits + 1) // 2
        self.mask = (1 << self.half) - 1
        self.size = size
        self.keys = keys

    def __call__(self, value: int) -> int:
        half, mask = self.half, self.mask
        while True:
            left, right = value >> half, value & mask
            for key in self.keys:
                mixed = ((right ^ key) * 0x45D9F3B) & 0xFFFFFFFF
                mixed ^= mixed >> 16
                left, right = right, left ^ (mixed & mask)
            value = (left << half) | right
            if value < self.size:
                return value


class NumberIssuer:
    """The numbers one train's passengers are issued, from that train's block of serials."""

    def __init__(self, seed: int, day: date, slot: int, slots: int) -> None:
        self.seed = seed
        self.base = ((day - EPOCH).days * slots + slot) * PER_TRAIN
        self.fallback = Random(f"{seed}/{day.isoformat()}/{slot}/numbers")
        self.issued: dict[str, int] = {}
        self.affine: dict[str, tuple[int, int]] = {}
        self.permutations: dict[str, _Permutation] = {}

    def _serial(self, space: str, size: int) -> int | None:
        k = self.issued.get(space, 0)
        self.issued[space] = k + 1
        return None if k >= PER_TRAIN else (self.base + k) % size  # None: more than a train ever carries

    def _in_series(self, space: str, size: int) -> int:
        serial = self._serial(space, size)
        if serial is None:
            return self.fallback.randrange(size)
        if space not in self.affine:
            multiplier = int(size * 0.6180339887498949) | 1  # far apart, coprime with 2
            while gcd(multiplier, size) != 1:
                multiplier += 2
            self.affine[space] = (multiplier, Random(f"{self.seed}/{space}").randrange(size))
        multiplier, offset = self.affine[space]
        return (serial * multiplier + offset) % size

    def _unordered(self, space: str, size: int) -> int:
        serial = self._serial(space, size)
        if serial is None:
            return self.fallback.randrange(size)
        if space not in self.permutations:
            keys = Random(f"{self.seed}/{space}")
            self.permutations[space] = _Permutation(size, [keys.getrandbits(32) for _ in range(_ROUNDS)])
        return self.permutations[space](serial)

    def passport(self, nationality: str) -> str:
        if nationality == "DEU":
            value = self._unordered("DEU", len(_DEU_ALPHABET) ** 8)
            chars = []
            for _ in range(8):
                value, index = divmod(value, len(_DEU_ALPHABET))
                chars.append(_DEU_ALPHABET[index])
            return "C" + "".join(chars)
        prefixes, digits = PASSPORTS[nationality]
        value = self._unordered(nationality, len(prefixes) * 10**digits)
        prefix, rest = divmod(value, 10**digits)
        return f"{prefixes[prefix]}{rest:0{digits}d}"

    def sticker(self, state: str) -> str:
        """A visa-sticker number: the issuing state and 9 digits (FRTD and FTD are Lithuanian)."""
        return f"{state}{self._in_series(f'sticker/{state}', 10**9):09d}"

    def residence_permit(self, state: str) -> str:
        return f"{state}RP{self._in_series(f'permit/{state}', 10**8):08d}"

    def ticket(self) -> str:
        """A 14-digit ticket number (the manifest ref)."""
        return str(10**13 + self._in_series("ticket", 9 * 10**13))
