# UNSANDBOXED: held
# HOSTILE: os._exit(0) while being imported: the process ends "successfully" before any check.
# EXPECT: exited with status 0
import os

print("all tests passed")
os._exit(0)
