"""Running untrusted code: the sandbox, the torch-preloaded worker and its forks, the wire format
and the protocol both sides speak, and the student's functions as the graders call them."""
