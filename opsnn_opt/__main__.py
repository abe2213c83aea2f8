import sys

from opsnn_opt.cli import main

sys.exit(main())
