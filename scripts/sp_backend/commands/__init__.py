"""One module per subcommand; each defines register(subparsers) -> parser with a handler."""
