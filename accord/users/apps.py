from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "accord.users"
    label = "users"
