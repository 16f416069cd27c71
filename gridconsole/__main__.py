from gridconsole.cli import main

main()
