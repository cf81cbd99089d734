"""Returns a plain object that claims to equal anything and to be close to anything: no answer,
and no side effect for the side-property test to reward."""
CAUGHT_BY = ["test_grad_of_intermediate"]


class _Anything:
    shape = ()

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 0.0


def grad_of_intermediate(w, x):
    return _Anything()
