from dbscaffold.cli import main

main()
