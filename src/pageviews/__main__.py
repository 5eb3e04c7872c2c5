"""`python -m pageviews ...`: the same as the `pageviews` command."""

from pageviews.console import main

raise SystemExit(main())
