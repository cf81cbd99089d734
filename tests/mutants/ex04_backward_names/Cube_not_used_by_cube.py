"""cube computes x ** 3 directly: right values, but the node is PowBackward0, not CubeBackward."""
CAUGHT_BY = ["test_Cube_node", "test_Cube_passes_gradcheck", "test_Cube_saves"]
MESSAGE = "Cube.apply(x)"


def cube(x):
    return x ** 3
