"""The tools' subcommands of ``syndicrawl``: ``demo``, ``bench``, ``eval`` (registered as entry points)."""
