"""An in-memory commune index: lookup by GSO code and forgiving name search."""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flows.text import fold

# Words people put before a name: "xa", "phuong", "p.", "tt", "dac khu"...
_PREFIX = re.compile(r"^(?:xa|phuong|dac khu|thi tran|tt|p|x|ward|commune)\b[ .]*")


@dataclass(frozen=True)
class Commune:
    """One commune/ward as the flows see it."""

    code: int
    name: str
    province_code: int
    province_name: str

    @property
    def key(self) -> str:
        """The folded name without its 'xa'/'phuong' prefix."""
        return name_key(self.name)


def name_key(name: str) -> str:
    """Folded search key of a commune name or of what a reporter typed."""
    return _PREFIX.sub("", fold(name).replace(".", " ")).strip()


class Directory:
    """All communes, indexed once; the caller builds it from the database."""

    def __init__(self, communes: Iterable[Commune]):
        self._by_code: dict[int, Commune] = {}
        self._by_key: dict[str, list[Commune]] = {}
        self._keys_by_province: dict[int, list[str]] = {}
        self._provinces: dict[int, str] = {}
        for commune in communes:
            self._by_code[commune.code] = commune
            self._by_key.setdefault(commune.key, []).append(commune)
            self._provinces[commune.province_code] = commune.province_name
        for key, found in self._by_key.items():
            for province in {c.province_code for c in found}:
                self._keys_by_province.setdefault(province, []).append(key)
        self._all_keys = list(self._by_key)

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: int | None) -> Commune | None:
        """The commune with this GSO code, or None."""
        return self._by_code.get(code) if code is not None else None

    def province_name(self, code: int | None) -> str | None:
        """The name of a province that has communes in the index."""
        return self._provinces.get(code) if code is not None else None

    def search(self, query: str, province_code: int | None = None, limit: int = 3) -> list[Commune]:
        """Best matches for a typed name: exact before fuzzy, the given province first."""
        key = name_key(query)
        if len(key) < 2:
            return []
        exact = self._by_key.get(key, [])
        if exact:
            local = [c for c in exact if c.province_code == province_code]
            return (local or exact)[:limit]
        if province_code in self._keys_by_province:
            keys = self._keys_by_province[province_code]
            close = difflib.get_close_matches(key, keys, n=limit, cutoff=0.75)
            found = [c for k in close for c in self._by_key[k] if c.province_code == province_code]
            if found:
                return found[:limit]
        close = difflib.get_close_matches(key, self._all_keys, n=limit, cutoff=0.85)
        return [c for k in close for c in self._by_key[k]][:limit]
