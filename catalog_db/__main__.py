from catalog_db.cli import main

raise SystemExit(main())
