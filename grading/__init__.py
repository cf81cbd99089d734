"""The grading core of the autograd course.

Modules, one job each:
- ``targets``: where a submission lives and how graders call into it;
- ``runner`` and ``zygote``: running student code in a forked child, with limits;
- ``wire``: the plain-data form in which results come back;
- ``checks``: the checks graders are made of (values, gradients, graphs);
- ``graphs``: torchviz renderings parsed and compared as labelled DAGs;
- ``probes``: inspections that run next to the student's result;
- ``strategies``: the inputs every grader draws from;
- ``stubs``: generating exercise stubs from the solutions;
- ``pytest_plugin``: ``--target``, points and one-line failure messages;
- ``pipeline`` and ``cli``: the nbgrader pipeline and the ``course`` command.
"""
