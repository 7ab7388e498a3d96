"""One module per subcommand of ``policygraph``; the CLI discovers them here."""
