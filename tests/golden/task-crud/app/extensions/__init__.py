"""Your own code. sp-backend creates each module here once and never changes it again.

main.py holds the app-wide routes; each resource has a module named after its collection
(tasks.py for /api/tasks), whose routes share the generated ones' prefix and authentication.
"""
