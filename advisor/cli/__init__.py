"""The command-line shell: thin Typer commands over the headless core."""
