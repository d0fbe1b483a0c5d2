from tarot.cli import main

raise SystemExit(main())
