# UNSANDBOXED: held
# HOSTILE: sys.exit(0) while being imported, hoping a clean exit counts as a pass.
# EXPECT: sys.exit(0)
import sys

sys.exit(0)
