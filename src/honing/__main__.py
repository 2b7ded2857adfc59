from honing.cli import main

main()
