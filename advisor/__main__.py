"""`python -m advisor` runs the same CLI as the `advisor` console script."""

from advisor.cli.app import main

if __name__ == "__main__":
    main()
