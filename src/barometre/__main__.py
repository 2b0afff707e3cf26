from barometre.cli.app import main

main()
