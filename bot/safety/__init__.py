"""Red-flag detection: the lexicon compiler and the matcher. Depends on nothing but its lexicon and text."""
