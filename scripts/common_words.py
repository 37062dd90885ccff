"""Writes knowledge/common_words.txt: frequent English words the retriever never 'corrects'.

Without it, a real word the articles happen not to use ("woken") is one edit away from one
they do use ("women") and gets rewritten. Dev-only (needs wordfreq, not a runtime dependency):

    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq && /tmp/wf/bin/python scripts/common_words.py
"""

from __future__ import annotations

from pathlib import Path

from wordfreq import top_n_list

COUNT = 30_000
OUT = Path(__file__).resolve().parent.parent / "knowledge" / "common_words.txt"


def main() -> None:
    words = [w for w in top_n_list("en", COUNT) if w.isascii() and w.isalpha() and len(w) > 2]
    header = [
        "# The most frequent English words (wordfreq top 30,000, letters only, 3+ letters),",
        "# one per line. The retriever never treats these as typos. Regenerate with",
        "# scripts/common_words.py; add a word by hand if crampbot keeps 'correcting' it.",
    ]
    OUT.write_text("\n".join(header + sorted(set(words))) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
