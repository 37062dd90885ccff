"""`python -m bot` runs the crampbot command line."""

from bot.cli import main

if __name__ == "__main__":  # not when a child process of the server imports it (multiprocessing's spawn)
    raise SystemExit(main())
