"""Helpers shared by the registration tests: demo courses and students, and the Add to cart post."""
from webapp.models import Course, Student


def course(name):
    return Course.get(Course.name == name)


def student(first):
    return Student.get(Student.first_name == first)


def register(client, name, first):
    """Post Add to cart for the student in the course; returns the response."""
    return client.post(f"/register/courses/{course(name).id}/add", data={"student": student(first).id})
