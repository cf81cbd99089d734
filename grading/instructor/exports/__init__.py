"""``course export``: the course in the formats other graders read.

- ``gradescope``: a Gradescope autograder zip (``setup.sh``, ``run_autograder`` and what
  they need, hidden tests included, solutions never); :mod:`grading.instructor.exports.autograder`
  is what ``run_autograder`` runs on each submission.
- ``classroom``: a GitHub Classroom starter repository: the student bundle of
  ``course release`` with a workflow that runs ``course check MODULE`` per module.

Both grade with the same graders as ``course check`` and ``course autograde``.
"""


class ExportError(ValueError):
    """What stops an export, in one line (``course export`` exits with status 2)."""
