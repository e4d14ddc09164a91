from transitguard.entrypoints.cli import main

main()
