"""An in-memory commune index: lookup by GSO code and forgiving name search."""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from flows.text import fold

# Words people put before a name: "xa", "phuong", "p.", "tt", "dac khu"...
_PREFIX = re.compile(r"^(?:xa|phuong|dac khu|thi tran|tt|p|x|ward|commune)\b[ .]*")
_WORD = re.compile(r"[a-z0-9]+")
# The unabbreviated words that name a commune inside a sentence ("co trom o xa Hoang Hoa"),
# and the everyday words they begin ("xa hoi" society, "phuong tien" vehicle, "xa la" strange):
# "te nan xa hoi an ninh" must not send a tip to Hoi An.
_NAMING = (("xa",), ("phuong",), ("dac", "khu"))
_TITLE_STARTS = frozenset(title[0] for title in _NAMING)
_NOT_A_TITLE = frozenset({
    ("xa", "hoi"), ("xa", "xoi"), ("xa", "la"), ("xa", "lanh"), ("xa", "lo"), ("xa", "rac"),
    ("phuong", "tien"), ("phuong", "an"), ("phuong", "phap"), ("phuong", "huong"),
    ("phuong", "thuc"), ("phuong", "dong"), ("phuong", "tay"), ("phuong", "nam"),
    ("phuong", "bac"), ("phuong", "cham"), ("phuong", "trinh"), ("phuong", "vi"),
})
_NAME_WORDS = (5, 4, 3, 2)  # a name of one word is too often an ordinary one ("o xa lam")


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
        self._by_words: dict[str, list[Commune]] = {}
        for key, found in self._by_key.items():
            self._by_words.setdefault(_words(key), []).extend(found)

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

    def pick(self, query: str, province_code: int | None = None,
             limit: int = 3) -> tuple[Commune | None, list[Commune]]:
        """A commune a person names in a command (a transfer): the one whose whole name it is,
        the given province's first, and the communes it could be (up to limit). None when the
        name is shared or only close: they then choose by code, since a guess would send a
        tip to the wrong police."""
        found = self.search(query, province_code, limit)
        exact = [c for c in found if c.key == name_key(query)]
        return (exact[0] if len(exact) == 1 else None), (exact or found)

    def named(self, text: str, province_code: int | None = None) -> Commune | None:
        """The one commune a sentence names with its title ("... o xa Hoang Hoa ..."): in the
        given province only, when there is one; None when it names none, several, or a name
        shared by several. Only whole, exact names count: a guess here would send a tip to the
        wrong police, where asking costs one more message."""
        words = _WORD.findall(fold(text))
        found: set[Commune] = set()
        for i in [i for i, word in enumerate(words) if word in _TITLE_STARTS]:
            for title in _NAMING:
                if (tuple(words[i:i + len(title)]) == title
                        and tuple(words[i:i + 2]) not in _NOT_A_TITLE):
                    candidates = self._name_at(words, i + len(title), province_code)
                    if len(candidates) > 1:
                        return None
                    found.update(candidates)
        return found.pop() if len(found) == 1 else None

    def _name_at(self, words: list[str], start: int, province_code: int | None) -> list[Commune]:
        """The communes whose whole name starts at words[start], the longest name first."""
        for size in [n for n in _NAME_WORDS if start + n <= len(words)]:
            exact = self._by_words.get(" ".join(words[start:start + size]))
            if exact:
                if province_code is None:
                    return exact
                return [c for c in exact if c.province_code == province_code]
        return []


def _words(key: str) -> str:
    """A name key as plain words ("dak r'lap" -> "dak r lap"), as they are found in a sentence."""
    return " ".join(_WORD.findall(key))
