"""The laptop profile: the database and its migrations, the files beside it, their encryption,
where it lives."""
