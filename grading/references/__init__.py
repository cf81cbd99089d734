"""Ground truth for each module's graders, computed with torch.autograd.

One module per exercise module: the references the checks compare against, the
builders that make inputs inside the student's process, and the known mistakes
whose values the messages can recognise. These never import a solution.
"""
