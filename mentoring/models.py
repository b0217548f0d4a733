# Models arrive with the mentoring issue.
