"""Workers: the loop that serves a study, the supervisor and its simulation process, heartbeats."""
