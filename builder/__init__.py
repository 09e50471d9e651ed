"""The build: command-line subcommands over the policy core (pages and print come later)."""
