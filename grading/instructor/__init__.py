"""The instructor pipeline on nbgrader: the course folder, the gradebook, preprocessors,
verification out of process, parallel and distributed grading, feedback, exports and reports."""
