"""`python -m bot` runs the crampbot command line."""

from bot.cli import main

raise SystemExit(main())
