"""Subcommands of the ``syndicrawl`` console script, one module each (see ``crawler.cli``)."""
