"""How fast is this Python interpreter at the kind of work our pages do?

    python3 bench/interpreter.py          # any Python 3; no Django, no database

Our pages spend most of their time in Python (the ORM and the template engine: dictionary
lookups, attribute access, small objects, string building), so the interpreter's build
matters: CPython built with profile-guided optimisation and link-time optimisation (as
Debian's and the official Docker images' are) runs this loop markedly faster than one
built without them (as pyenv builds by default). Prints the best of 7 runs in ms and how
the interpreter was configured (pyenv's builds show their ./configure options; Debian's
optimise in their build rules, which this does not show).
"""

import sys
import sysconfig
import time


def work() -> int:
    counts: dict[str, int] = {}
    for i in range(200_000):
        key = f"k{i % 1000}"
        counts[key] = counts.get(key, 0) + len(key.upper())

    class Row:
        def __init__(self, value: int):
            self.value = value

        def doubled(self) -> int:
            return self.value * 2

    return sum(Row(i).doubled() for i in range(200_000)) + len(counts)


def main() -> None:
    best = float("inf")
    for _ in range(7):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    config = (sysconfig.get_config_var("CONFIG_ARGS") or "").split()
    options = [arg.strip("'") for arg in config if arg.strip("'").startswith("--")]
    print(
        f"{sys.executable} (Python {sys.version.split()[0]}): best of 7 {best * 1000:.1f} ms; "
        f"configured with {' '.join(options) or 'nothing shown'}"
    )


if __name__ == "__main__":
    main()
