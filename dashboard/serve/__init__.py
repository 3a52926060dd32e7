"""Running the app as several Streamlit processes (replicas) behind nginx on one machine.

`proxy` writes the nginx configuration from its template (sticky sessions, websockets) and runs
nginx; `replicas` starts the Streamlit processes, waits until each answers, and stops them all.
Nothing here knows where the data lives: each replica reads the same settings (FUER_DB, …) from
the environment it is started with.
"""
